import { parseInstant } from '@pw/contracts';

import { commitmentEvents } from './output-event.builder';
import { forgetBrokenCommitment, recordBrokenCommitment } from './customer.rules';

import type { CommitmentOutcome, EngineContext } from './engine-context';
import type { CommitmentState, ConversationState, CustomerState } from '../state/engine-state.type';
import type { StateAccess } from './sla-engine';
import type { InteractionEvent } from '@pw/contracts';

/*
 * Commitments ("promises" in the contract) use absolute time, not a calendar.
 */

function dueSoonAt(ctx: EngineContext, commitment: CommitmentState): number | null {
  const warnBeforeMs = ctx.config.commitments[commitment.by].warnBeforeMs;
  if (commitment.broken || commitment.dueSoonDone || warnBeforeMs <= 0) return null;
  const at = commitment.dueAt - warnBeforeMs;
  // A commitment made when it is already "due soon" gets no reminder of what was just said.
  return at >= commitment.madeAt ? at : null;
}

/** `promise.broken` is due at `dueAt`, or at once for one made with a due instant already past. */
function brokenAt(commitment: CommitmentState): number | null {
  return commitment.broken ? null : Math.max(commitment.dueAt, commitment.madeAt);
}

export function refreshCommitmentTimer(ctx: EngineContext, commitment: CommitmentState): void {
  commitment.timerAt = dueSoonAt(ctx, commitment) ?? brokenAt(commitment);
}

function findCommitment(conversation: ConversationState, id: string): CommitmentState | undefined {
  return conversation.commitments.find((commitment) => commitment.id === id);
}

function removeCommitment(conversation: ConversationState, commitment: CommitmentState): void {
  conversation.commitments.splice(conversation.commitments.indexOf(commitment), 1);
}

export function applyCommitmentEvent(
  ctx: EngineContext,
  conversation: ConversationState,
  customer: CustomerState,
  event: InteractionEvent,
  at: number,
  arrivedAt: number,
): void {
  const ref = event.promise;
  if (!ref) return;
  const existing = findCommitment(conversation, ref.id);
  if (event.kind === 'promise.made') {
    const dueAt = parseInstant(ref.dueAt as string);
    if (!existing) {
      const commitment: CommitmentState = {
        id: ref.id,
        by: ref.by ?? 'provider',
        dueAt,
        madeAt: at,
        broken: false,
        dueSoonDone: false,
        timerAt: null,
      };
      refreshCommitmentTimer(ctx, commitment);
      conversation.commitments.push(commitment);
      ctx.emit(commitmentEvents.made(conversation, commitment, at, false));
      return;
    }
    if (existing.dueAt === dueAt) {
      ctx.note({ code: 'commitment_unchanged', conversationId: conversation.id, detail: ref.id });
      return;
    }
    // Rescheduled: open again, also after it was broken.
    existing.dueAt = dueAt;
    existing.madeAt = at;
    existing.broken = false;
    existing.dueSoonDone = false;
    refreshCommitmentTimer(ctx, existing);
    ctx.emit(commitmentEvents.made(conversation, existing, at, true));
    return;
  }
  if (!existing) {
    ctx.note({ code: 'unknown_commitment', conversationId: conversation.id, detail: `${event.kind} ${ref.id}` });
    return;
  }
  if (event.kind === 'promise.kept') {
    const onTime = at <= existing.dueAt;
    ctx.emit(commitmentEvents.kept(conversation, existing, at, onTime));
    ctx.outcome(commitmentOutcome(conversation, existing, at, onTime ? 'kept_on_time' : 'kept_late'));
    if (existing.broken && onTime) {
      ctx.emit(commitmentEvents.breakRetracted(conversation, existing, arrivedAt));
      ctx.outcome(commitmentOutcome(conversation, existing, arrivedAt, 'break_retracted'));
      if (existing.by === 'customer') forgetBrokenCommitment(ctx, customer, conversation.id, existing.id);
    }
  } else {
    ctx.emit(commitmentEvents.cancelled(conversation, existing, at));
  }
  removeCommitment(conversation, existing);
}

function commitmentOutcome(
  conversation: ConversationState,
  commitment: CommitmentState,
  at: number,
  verdict: CommitmentOutcome['verdict'],
): CommitmentOutcome {
  return {
    kind: 'commitment',
    conversationId: conversation.id,
    customerId: conversation.customerId,
    promiseId: commitment.id,
    by: commitment.by,
    dueAt: commitment.dueAt,
    at,
    verdict,
  };
}

/** Emits `promise.due_soon` and `promise.broken` of one commitment due at or before `now`. */
export function fireCommitmentTimers(
  ctx: EngineContext,
  conversation: ConversationState,
  access: StateAccess,
  commitment: CommitmentState,
  now: number,
): void {
  while (commitment.timerAt !== null && commitment.timerAt <= now) {
    const at = commitment.timerAt;
    if (dueSoonAt(ctx, commitment) === at) {
      commitment.dueSoonDone = true;
      ctx.emit(commitmentEvents.dueSoon(conversation, commitment, at));
    } else {
      commitment.broken = true;
      ctx.emit(commitmentEvents.broken(conversation, commitment, at));
      ctx.outcome(commitmentOutcome(conversation, commitment, at, 'broken'));
      if (commitment.by === 'customer') {
        // Loaded only here: most timers never need the customer.
        const customer = access.customer(conversation.tenant, conversation.customerId);
        if (customer) recordBrokenCommitment(ctx, customer, conversation.id, commitment.id, at);
      }
    }
    refreshCommitmentTimer(ctx, commitment);
  }
}
