import {
  addSegment,
  countedAt,
  currentCalendar,
  instantOfCounted,
  isPaused,
  refreshClockTimers,
  warningAmount,
} from './clock.logic';
import { clockEvents } from './output-event.builder';

import type { ClockOutcome, EngineContext } from './engine-context';
import type { CompiledPolicy } from '../config/engine-config';
import type { ClockState, ConversationState } from '../state/engine-state.type';
import type { SlaMetric } from '@pw/contracts';

/** The order clocks are kept and reported in (acknowledgement before the response it belongs to). */
export const METRIC_ORDER: Record<SlaMetric, number> = {
  acknowledgement: 0,
  first_response: 1,
  next_response: 2,
  periodic_update: 3,
  resolution: 4,
};

export function findClock(conversation: ConversationState, metric: SlaMetric): ClockState | undefined {
  const { clocks } = conversation;
  for (let i = 0; i < clocks.length; i++) if (clocks[i].metric === metric) return clocks[i];
  return undefined;
}

function removeClock(conversation: ConversationState, clock: ClockState): void {
  const { clocks } = conversation;
  const index = clocks.indexOf(clock);
  if (index < 0) return;
  // By hand: splice would allocate the array of removed items on this hot path.
  for (let i = index; i < clocks.length - 1; i++) clocks[i] = clocks[i + 1];
  clocks.pop();
}

/** Starts a clock for `metric` (cycle from the conversation's counter) if the policy has a target. */
export function startClock(ctx: EngineContext, conversation: ConversationState, policy: CompiledPolicy | null, metric: SlaMetric, at: number): void {
  const targetMs = policy?.targets[metric];
  if (policy === null || targetMs === undefined) return;
  if (findClock(conversation, metric)) return; // one clock per metric at a time
  const paused = metric === 'resolution' && policy.pauseOn.has(conversation.status);
  const clock: ClockState = {
    metric,
    cycle: conversation.cycles[metric],
    policy: policy.id,
    targetMs,
    warnAt: policy.warnAt,
    startedAt: at,
    segments: [{ from: at, counted: 0, paused, calendar: policy.calendar }],
    dueAt: null,
    warned: [],
    breached: false,
    nextWarning: null,
    timerAt: null,
  };
  refreshClockTimers(ctx.config, clock);
  const { clocks } = conversation;
  clocks.push(clock);
  let index = clocks.length - 1;
  for (; index > 0 && METRIC_ORDER[clocks[index - 1].metric] > METRIC_ORDER[metric]; index--) clocks[index] = clocks[index - 1];
  clocks[index] = clock;
  ctx.emit(clockEvents.started(conversation, clock, at));
  if (paused) ctx.emit(clockEvents.paused(conversation, clock, at));
}

/**
 * Meets the running clock of `metric` with an event at `at` (event time). A clock breached
 * earlier but met by an event at or before its due instant (a late arrival) is on time: the
 * breach is retracted at the event's arrival instant.
 */
function clockOutcome(
  conversation: ConversationState,
  clock: ClockState,
  at: number,
  verdict: ClockOutcome['verdict'],
  onTime: boolean | null,
  breached: boolean,
  countedMs: number,
): ClockOutcome {
  return {
    kind: 'clock',
    conversationId: conversation.id,
    customerId: conversation.customerId,
    metric: clock.metric,
    cycle: clock.cycle,
    policy: clock.policy,
    startedAt: clock.startedAt,
    at,
    verdict,
    onTime,
    breached,
    countedMs,
    targetMs: clock.targetMs,
    dueAt: clock.dueAt,
  };
}

export function meetClock(ctx: EngineContext, conversation: ConversationState, metric: SlaMetric, at: number, arrivedAt: number): void {
  const clock = findClock(conversation, metric);
  if (!clock || clock.startedAt > at) return;
  const counted = countedAt(ctx.config, clock, at);
  const onTime = clock.dueAt === null || at <= clock.dueAt;
  ctx.emit(clockEvents.met(conversation, clock, at, onTime, counted));
  if (clock.breached && onTime) ctx.emit(clockEvents.breachRetracted(conversation, clock, arrivedAt));
  ctx.outcome(clockOutcome(conversation, clock, at, 'met', onTime, !onTime, counted));
  removeClock(conversation, clock);
}

export function cancelClock(ctx: EngineContext, conversation: ConversationState, metric: SlaMetric, at: number, reason: string): void {
  const clock = findClock(conversation, metric);
  if (!clock || clock.startedAt > at) return;
  ctx.emit(clockEvents.cancelled(conversation, clock, at, reason));
  ctx.outcome(clockOutcome(conversation, clock, at, 'cancelled', null, clock.breached, countedAt(ctx.config, clock, at)));
  removeClock(conversation, clock);
}

/**
 * After a change at `at` that moved the clock's targets (retarget, resume): warnings whose
 * instant already passed are emitted now, unless the clock is now overdue, in which case it
 * breaches now (semantics.md: "sla.breached follows at the instant of the change").
 */
function settleAfterChange(ctx: EngineContext, conversation: ConversationState, clock: ClockState, at: number): void {
  const overdue = clock.dueAt !== null && clock.dueAt < at;
  if (!clock.breached) {
    for (const fraction of clock.warnAt) {
      if (clock.warned.includes(fraction)) continue;
      const warnAt = instantOfCounted(ctx.config, clock, warningAmount(clock, fraction));
      if (warnAt === null || warnAt >= at) break;
      clock.warned = [...clock.warned, fraction];
      if (!overdue) ctx.emit(clockEvents.warning(conversation, clock, at, fraction));
    }
    if (overdue) {
      clock.breached = true;
      ctx.emit(clockEvents.breached(conversation, clock, at));
    }
  }
  refreshClockTimers(ctx.config, clock);
}

/**
 * Pauses or resumes the resolution clock to match the status and the policy's `pauseOn`.
 * A late status event older than the clock's last change takes effect from that change.
 */
export function syncResolutionPause(ctx: EngineContext, conversation: ConversationState, policy: CompiledPolicy | null, at: number): void {
  const clock = findClock(conversation, 'resolution');
  if (!clock || policy === null) return;
  const shouldPause = policy.pauseOn.has(conversation.status);
  if (shouldPause === isPaused(clock)) return;
  const from = addSegment(ctx.config, clock, at, currentCalendar(clock), shouldPause);
  refreshClockTimers(ctx.config, clock);
  if (shouldPause) {
    ctx.emit(clockEvents.paused(conversation, clock, from));
  } else {
    ctx.emit(clockEvents.resumed(conversation, clock, from));
    settleAfterChange(ctx, conversation, clock, from);
  }
}

function sameFractions(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

/**
 * Brings every running clock in line with the policy that now applies (semantics.md, "The
 * conversation and its policy"): same start and counted time, new target; cancelled when the
 * new policy has no target for the metric (or no policy matches).
 */
export function reconcileClocks(
  ctx: EngineContext,
  conversation: ConversationState,
  policy: CompiledPolicy | null,
  at: number,
  arrivedAt: number,
): void {
  const policyId = policy?.id ?? null;
  const revision = ctx.config.revision;
  // Same policy under the same configuration: the clocks already follow it.
  if (conversation.policy === policyId && conversation.policyRevision === revision) return;
  conversation.policy = policyId;
  conversation.policyRevision = revision;
  if (conversation.clocks.length === 0) return;
  // In metric order; a cancelled clock leaves the list, so the index stays put.
  for (let i = 0; i < conversation.clocks.length; i++) {
    const clock = conversation.clocks[i];
    const targetMs = policy?.targets[clock.metric];
    if (policy === null || targetMs === undefined) {
      cancelClock(ctx, conversation, clock.metric, Math.max(at, clock.startedAt), policy === null ? 'no_policy' : 'no_target');
      i--;
      continue;
    }
    if (clock.policy !== policy.id || clock.targetMs !== targetMs || currentCalendar(clock) !== policy.calendar) {
      const from = addSegment(ctx.config, clock, at, policy.calendar, isPaused(clock));
      clock.policy = policy.id;
      clock.targetMs = targetMs;
      clock.warnAt = policy.warnAt;
      refreshClockTimers(ctx.config, clock);
      ctx.emit(clockEvents.retargeted(conversation, clock, from));
      if (clock.breached && (clock.dueAt === null || clock.dueAt > from)) {
        // The breach no longer holds under the new target.
        clock.breached = false;
        ctx.emit(clockEvents.breachRetracted(conversation, clock, Math.max(arrivedAt, from)));
      }
      settleAfterChange(ctx, conversation, clock, from);
    } else if (!sameFractions(clock.warnAt, policy.warnAt)) {
      clock.warnAt = policy.warnAt;
      refreshClockTimers(ctx.config, clock);
    }
  }
  syncResolutionPause(ctx, conversation, policy, at);
}

/** Emits the warnings and the breach of one clock that are due at or before `now`. */
export function fireClockTimers(ctx: EngineContext, conversation: ConversationState, clock: ClockState, now: number): void {
  while (clock.timerAt !== null && clock.timerAt <= now) {
    const at = clock.timerAt;
    if (clock.nextWarning !== null) {
      // A new exact-size array: push would give this long-lived list a 17-slot backing store.
      clock.warned = [...clock.warned, clock.nextWarning];
      if (clock.dueAt !== null) ctx.emit(clockEvents.warning(conversation, clock, at, clock.nextWarning));
    } else {
      clock.breached = true;
      ctx.emit(clockEvents.breached(conversation, clock, at));
    }
    refreshClockTimers(ctx.config, clock);
  }
}
