import { parseInstant } from '@pw/contracts';

import { cancelClock, fireClockTimers, meetClock, reconcileClocks, startClock, syncResolutionPause } from './clock.rules';
import { applyCommitmentEvent, fireCommitmentTimers } from './commitment.rules';
import { fireCustomerTimers, refreshCustomerTimers } from './customer.rules';
import { EngineContext } from './engine-context';
import { relationshipEvents } from './output-event.builder';
import { newConversationState, newCustomerState } from '../state/engine-state.factory';

import type { EngineResult } from './engine-context';
import type { CompiledMatch, CompiledPolicy, EngineConfig } from '../config/engine-config';
import type { ConversationState, CustomerState, EntityRef, EntityState } from '../state/engine-state.type';
import type { InteractionEvent } from '@pw/contracts';

/**
 * Read access to the entities an engine call may need. Synchronous on purpose: the engine does
 * no I/O. A service loads the rows named by {@link SlaEngine.entitiesFor} first and serves
 * them from memory; the simulator uses the in-memory store.
 */
export interface StateAccess {
  conversation(tenant: string, id: string): ConversationState | undefined;
  customer(tenant: string, id: string): CustomerState | undefined;
}

function matches(match: CompiledMatch, conversation: ConversationState, segment: string | null): boolean {
  if (match.channel !== null && (conversation.channel === null || !match.channel.has(conversation.channel))) return false;
  if (match.priority !== null && !match.priority.has(conversation.priority)) return false;
  if (match.segment !== null && (segment === null || !match.segment.has(segment))) return false;
  if (match.team !== null && (conversation.team === null || !match.team.has(conversation.team))) return false;
  if (match.tags !== null) {
    const wanted = match.tags;
    if (!conversation.tags.some((tag) => wanted.has(tag))) return false;
  }
  return true;
}

/** A message or call from the customer, except an answered inbound call (semantics.md, Words). */
function isCustomerContact(event: InteractionEvent): boolean {
  if (event.direction !== 'inbound') return false;
  return event.kind === 'message' || (event.kind === 'call' && event.answered === false);
}

/**
 * The clock engine of semantics.md for one tenant and one version of its configuration.
 * Pure: no I/O, never reads the clock (every instant comes from an event or an argument).
 * `apply` and `fireDue` change the entity states they are given in place and return them in
 * `changed`, with the output events in emission order.
 */
export class SlaEngine {
  constructor(
    readonly tenant: string,
    readonly config: EngineConfig,
  ) {}

  /** The policy that applies to a conversation now: the first whose `match` holds. */
  policyFor(conversation: ConversationState, segment: string | null): CompiledPolicy | null {
    for (const policy of this.config.policies) if (matches(policy.match, conversation, segment)) return policy;
    return null;
  }

  /**
   * The entities `apply(event)` may read, given what is already loaded for the event's
   * conversation and customer: those two, the conversation's previous customer when it moves,
   * and the customer's conversations with running clocks when the event changes its segment.
   */
  entitiesFor(event: InteractionEvent, loaded: { conversation?: ConversationState; customer?: CustomerState } = {}): EntityRef[] {
    const refs: EntityRef[] = [
      { entity: 'conversation', tenant: this.tenant, id: event.conversationId },
      { entity: 'customer', tenant: this.tenant, id: event.customerId },
    ];
    if (loaded.conversation && loaded.conversation.customerId !== event.customerId) {
      refs.push({ entity: 'customer', tenant: this.tenant, id: loaded.conversation.customerId });
    }
    if (loaded.customer && event.segment !== undefined && event.segment !== loaded.customer.segment) {
      for (const id of loaded.customer.activeConversations) {
        if (id !== event.conversationId) refs.push({ entity: 'conversation', tenant: this.tenant, id });
      }
    }
    return refs;
  }

  /**
   * Applies one accepted, not yet seen interaction event. Deduplication (events.md: the key is
   * tenant + source + id) is the caller's job, since it needs a ledger of every key.
   */
  apply(access: StateAccess, event: InteractionEvent): EngineResult {
    const ctx = new EngineContext(this.config);
    const at = parseInstant(event.occurredAt);
    const receivedAt = event.receivedAt === undefined ? at : parseInstant(event.receivedAt);
    const arrivedAt = receivedAt > at ? receivedAt : at;

    let customer = access.customer(this.tenant, event.customerId);
    if (!customer) {
      customer = newCustomerState(this.tenant, event.customerId, at);
      ctx.create(customer);
    }
    let conversation = access.conversation(this.tenant, event.conversationId);
    if (!conversation) {
      conversation = newConversationState(this.tenant, event.conversationId, event.customerId);
      ctx.create(conversation);
    } else {
      ctx.touch(conversation);
    }

    if (conversation.customerId !== event.customerId) this.moveToCustomer(ctx, access, conversation, event.customerId);
    if (at < customer.firstSeenAt) {
      customer.firstSeenAt = at;
      ctx.touch(customer);
    }
    const segmentChanged = event.segment !== undefined && event.segment !== customer.segment;
    if (segmentChanged) {
      customer.segment = event.segment as string;
      ctx.touch(customer);
    }
    this.updateAttributes(conversation, event);

    const policy = this.policyFor(conversation, customer.segment);
    reconcileClocks(ctx, conversation, policy, at, arrivedAt);
    if (segmentChanged) this.retargetSiblings(ctx, access, conversation, customer, at, arrivedAt);

    switch (event.kind) {
      case 'message':
      case 'call':
        this.applyConversational(ctx, conversation, customer, policy, event, at, arrivedAt);
        break;
      case 'status':
        this.applyStatus(ctx, conversation, policy, event, at);
        break;
      case 'promise.made':
      case 'promise.kept':
      case 'promise.cancelled':
        applyCommitmentEvent(ctx, conversation, customer, event, at, arrivedAt);
        break;
      case 'transfer':
        this.applyTransfer(ctx, conversation, at);
        break;
      case 'feedback':
        this.applyFeedback(ctx, conversation, event, at);
        break;
      case 'note':
        break;
    }

    this.settleConversation(ctx, conversation, customer);
    const silenceDueBefore = customer.silenceDueAt;
    refreshCustomerTimers(this.config, customer);
    if (customer.silenceDueAt !== silenceDueBefore) ctx.touch(customer);
    // A silence that became watched only now (a new segment) and is already over is reported now.
    if (customer.silenceDueAt !== null && customer.silenceDueAt < at) fireCustomerTimers(ctx, customer, at, at);
    return ctx;
  }

  /**
   * Emits what is due at or before `now` for one entity, each with `at` = its due instant,
   * and in due order. Call it with `now` = `nextDueAt(state)` to interleave entities in time.
   */
  fireDue(access: StateAccess, state: EntityState, now: number): EngineResult {
    const ctx = new EngineContext(this.config);
    if (state.entity === 'customer') {
      fireCustomerTimers(ctx, state, now);
      ctx.touch(state);
      return ctx;
    }
    const conversation = state;
    ctx.touch(conversation);
    for (;;) {
      // The earliest due timer first; on a tie, clocks (in metric order) before commitments.
      let bestAt = Number.POSITIVE_INFINITY;
      let clockIndex = -1;
      let commitmentIndex = -1;
      const { clocks, commitments } = conversation;
      for (let i = 0; i < clocks.length; i++) {
        const timerAt = clocks[i].timerAt;
        if (timerAt !== null && timerAt <= now && timerAt < bestAt) {
          bestAt = timerAt;
          clockIndex = i;
        }
      }
      for (let i = 0; i < commitments.length; i++) {
        const timerAt = commitments[i].timerAt;
        if (timerAt !== null && timerAt <= now && timerAt < bestAt) {
          bestAt = timerAt;
          commitmentIndex = i;
          clockIndex = -1;
        }
      }
      if (commitmentIndex >= 0) fireCommitmentTimers(ctx, conversation, access, conversation.commitments[commitmentIndex], bestAt);
      else if (clockIndex >= 0) fireClockTimers(ctx, conversation, conversation.clocks[clockIndex], bestAt);
      else break;
    }
    conversation.nextDueAt = this.conversationDueAt(conversation);
    return ctx;
  }

  private updateAttributes(conversation: ConversationState, event: InteractionEvent): void {
    if (event.priority !== undefined) conversation.priority = event.priority;
    if (event.team !== undefined) conversation.team = event.team;
    if (event.kind === 'transfer' && event.toTeam !== undefined) conversation.team = event.toTeam;
    if (event.tags !== undefined) {
      for (const tag of event.tags) if (!conversation.tags.includes(tag)) conversation.tags.push(tag);
    }
    if (conversation.contactedAt === null && conversation.channel === null && isCustomerContact(event)) {
      conversation.channel = event.channel ?? null;
    }
  }

  private moveToCustomer(ctx: EngineContext, access: StateAccess, conversation: ConversationState, customerId: string): void {
    const previous = access.customer(this.tenant, conversation.customerId);
    if (previous) {
      const index = previous.activeConversations.indexOf(conversation.id);
      if (index >= 0) {
        previous.activeConversations.splice(index, 1);
        ctx.touch(previous);
      }
    }
    conversation.customerId = customerId;
    conversation.listedActive = false;
  }

  /** `segment` belongs to the customer: its other conversations with running clocks follow. */
  private retargetSiblings(ctx: EngineContext, access: StateAccess, conversation: ConversationState, customer: CustomerState, at: number, arrivedAt: number): void {
    for (const id of customer.activeConversations.slice()) {
      if (id === conversation.id) continue;
      const sibling = access.conversation(this.tenant, id);
      if (!sibling) continue;
      reconcileClocks(ctx, sibling, this.policyFor(sibling, customer.segment), at, arrivedAt);
      this.settleConversation(ctx, sibling, customer);
    }
  }

  private applyConversational(
    ctx: EngineContext,
    conversation: ConversationState,
    customer: CustomerState,
    policy: CompiledPolicy | null,
    event: InteractionEvent,
    at: number,
    arrivedAt: number,
  ): void {
    if (event.direction === 'inbound') {
      if (isCustomerContact(event)) this.applyCustomerContact(ctx, conversation, policy, at);
      else this.meetResponses(ctx, conversation, at, arrivedAt); // an answered call: a live conversation
      return;
    }
    if (event.automated) {
      if (event.kind === 'message' && conversation.acknowledgementSince !== null && conversation.acknowledgementSince <= at) {
        meetClock(ctx, conversation, 'acknowledgement', at, arrivedAt);
        conversation.acknowledgementSince = null;
      }
      return;
    }
    // A public reply.
    this.meetResponses(ctx, conversation, at, arrivedAt);
    if (conversation.periodicUpdateSince !== null && conversation.periodicUpdateSince <= at) {
      meetClock(ctx, conversation, 'periodic_update', at, arrivedAt);
      conversation.periodicUpdateSince = null;
    }
    if (conversation.status === 'open') {
      conversation.cycles.periodic_update++;
      conversation.periodicUpdateSince = at;
      startClock(ctx, conversation, policy, 'periodic_update', at);
    }
    if (customer.lastPublicReplyAt === null || at > customer.lastPublicReplyAt) {
      customer.lastPublicReplyAt = at;
      ctx.touch(customer);
    }
  }

  private applyCustomerContact(ctx: EngineContext, conversation: ConversationState, policy: CompiledPolicy | null, at: number): void {
    const { cycles } = conversation;
    if (conversation.contactedAt === null) {
      conversation.contactedAt = at;
      cycles.acknowledgement++;
      conversation.acknowledgementSince = at;
      cycles.first_response = 1;
      conversation.firstResponseSince = at;
      cycles.resolution++;
      conversation.resolutionSince = at;
      startClock(ctx, conversation, policy, 'acknowledgement', at);
      startClock(ctx, conversation, policy, 'first_response', at);
      startClock(ctx, conversation, policy, 'resolution', at);
      return;
    }
    // next_response: after the first response is over, when none is running.
    if (conversation.firstResponseSince !== null || conversation.nextResponseSince !== null) return;
    cycles.next_response++;
    conversation.nextResponseSince = at;
    if (conversation.acknowledgementSince === null) {
      cycles.acknowledgement++;
      conversation.acknowledgementSince = at;
      startClock(ctx, conversation, policy, 'acknowledgement', at);
    }
    startClock(ctx, conversation, policy, 'next_response', at);
  }

  /** A public reply or a live call: meets acknowledgement, first_response and next_response. */
  private meetResponses(ctx: EngineContext, conversation: ConversationState, at: number, arrivedAt: number): void {
    if (conversation.acknowledgementSince !== null && conversation.acknowledgementSince <= at) {
      meetClock(ctx, conversation, 'acknowledgement', at, arrivedAt);
      conversation.acknowledgementSince = null;
    }
    if (conversation.firstResponseSince !== null && conversation.firstResponseSince <= at) {
      meetClock(ctx, conversation, 'first_response', at, arrivedAt);
      conversation.firstResponseSince = null;
    }
    if (conversation.nextResponseSince !== null && conversation.nextResponseSince <= at) {
      meetClock(ctx, conversation, 'next_response', at, arrivedAt);
      conversation.nextResponseSince = null;
    }
  }

  private applyStatus(ctx: EngineContext, conversation: ConversationState, policy: CompiledPolicy | null, event: InteractionEvent, at: number): void {
    const status = event.status;
    if (status === undefined) return;
    conversation.status = status;
    if (status === 'solved' || status === 'closed') {
      if (conversation.acknowledgementSince !== null && conversation.acknowledgementSince <= at) {
        cancelClock(ctx, conversation, 'acknowledgement', at, status);
        conversation.acknowledgementSince = null;
      }
      if (conversation.firstResponseSince !== null && conversation.firstResponseSince <= at) {
        cancelClock(ctx, conversation, 'first_response', at, status);
        conversation.firstResponseSince = null;
      }
      if (conversation.nextResponseSince !== null && conversation.nextResponseSince <= at) {
        cancelClock(ctx, conversation, 'next_response', at, status);
        conversation.nextResponseSince = null;
      }
    }
    if (status !== 'open' && conversation.periodicUpdateSince !== null && conversation.periodicUpdateSince <= at) {
      cancelClock(ctx, conversation, 'periodic_update', at, status);
      conversation.periodicUpdateSince = null;
    }
    if (status === 'solved' || status === 'closed') {
      if (conversation.resolutionSince !== null && conversation.resolutionSince <= at) {
        meetClock(ctx, conversation, 'resolution', at, at);
        conversation.resolutionSince = null;
      }
      return;
    }
    if (status === 'open' && conversation.contactedAt !== null && conversation.resolutionSince === null) {
      // Re-opened after solved/closed: the next resolution cycle.
      conversation.cycles.resolution++;
      conversation.resolutionSince = at;
      startClock(ctx, conversation, policy, 'resolution', at);
      return;
    }
    syncResolutionPause(ctx, conversation, policy, at);
  }

  private applyTransfer(ctx: EngineContext, conversation: ConversationState, at: number): void {
    conversation.transfers++;
    const max = this.config.transfersMax;
    if (max !== null && conversation.transfers > max && !conversation.transferLimitReported) {
      conversation.transferLimitReported = true;
      ctx.emit(relationshipEvents.transferLimit(conversation, at, conversation.transfers));
    }
  }

  private applyFeedback(ctx: EngineContext, conversation: ConversationState, event: InteractionEvent, at: number): void {
    const rating = event.rating;
    if (!rating) return;
    const threshold = this.config.detractor[rating.scale];
    if (threshold !== null && rating.score <= threshold) ctx.emit(relationshipEvents.detractor(conversation, at, rating.scale, rating.score));
  }

  private conversationDueAt(conversation: ConversationState): number | null {
    let due: number | null = null;
    for (const clock of conversation.clocks) if (clock.timerAt !== null && (due === null || clock.timerAt < due)) due = clock.timerAt;
    for (const commitment of conversation.commitments) {
      if (commitment.timerAt !== null && (due === null || commitment.timerAt < due)) due = commitment.timerAt;
    }
    return due;
  }

  /** Bookkeeping after a conversation changed: its next due instant and the customer's index. */
  private settleConversation(ctx: EngineContext, conversation: ConversationState, customer: CustomerState): void {
    conversation.nextDueAt = this.conversationDueAt(conversation);
    ctx.touch(conversation);
    const active = conversation.clocks.length > 0;
    if (conversation.customerId !== customer.id || active === conversation.listedActive) return;
    conversation.listedActive = active;
    const list = customer.activeConversations;
    const index = list.indexOf(conversation.id);
    if (active && index < 0) list.push(conversation.id);
    if (!active && index >= 0) list.splice(index, 1);
    ctx.touch(customer);
  }
}
