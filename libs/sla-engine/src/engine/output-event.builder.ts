import { formatInstant } from '@pw/contracts';

import type { ClockState, CommitmentState, ConversationState } from '../state/engine-state.type';
import type { OutputEvent, RatingScale } from '@pw/contracts';

/*
 * Builders of the output events of semantics.md, with the fields in the order of its table
 * (type, at, conversationId, customerId, then the rest). Written out field by field: they
 * run for every output event, and spreads would allocate twice.
 */

const instantOrNull = (at: number | null): string | null => (at === null ? null : formatInstant(at));


export const clockEvents = {
  started: (c: ConversationState, clock: ClockState, at: number): OutputEvent => ({
    type: 'sla.started',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    metric: clock.metric,
    cycle: clock.cycle,
    policy: clock.policy,
    dueAt: instantOrNull(clock.dueAt),
  }),
  warning: (c: ConversationState, clock: ClockState, at: number, threshold: number): OutputEvent => ({
    type: 'sla.warning',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    metric: clock.metric,
    cycle: clock.cycle,
    threshold,
    dueAt: formatInstant(clock.dueAt as number),
  }),
  paused: (c: ConversationState, clock: ClockState, at: number): OutputEvent => ({
    type: 'sla.paused',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    metric: clock.metric,
    cycle: clock.cycle,
  }),
  resumed: (c: ConversationState, clock: ClockState, at: number): OutputEvent => ({
    type: 'sla.resumed',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    metric: clock.metric,
    cycle: clock.cycle,
    dueAt: instantOrNull(clock.dueAt),
  }),
  retargeted: (c: ConversationState, clock: ClockState, at: number): OutputEvent => ({
    type: 'sla.retargeted',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    metric: clock.metric,
    cycle: clock.cycle,
    policy: clock.policy,
    dueAt: instantOrNull(clock.dueAt),
  }),
  breached: (c: ConversationState, clock: ClockState, at: number): OutputEvent => ({
    type: 'sla.breached',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    metric: clock.metric,
    cycle: clock.cycle,
    dueAt: formatInstant(clock.dueAt as number),
  }),
  met: (c: ConversationState, clock: ClockState, at: number, onTime: boolean, countedMs: number): OutputEvent => ({
    type: 'sla.met',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    metric: clock.metric,
    cycle: clock.cycle,
    onTime,
    elapsedSeconds: countedMs / 1000,
  }),
  cancelled: (c: ConversationState, clock: ClockState, at: number, reason: string): OutputEvent => ({
    type: 'sla.cancelled',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    metric: clock.metric,
    cycle: clock.cycle,
    reason,
  }),
  breachRetracted: (c: ConversationState, clock: ClockState, at: number): OutputEvent => ({
    type: 'sla.breach_retracted',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    metric: clock.metric,
    cycle: clock.cycle,
  }),
};


export const commitmentEvents = {
  made: (c: ConversationState, commitment: CommitmentState, at: number, rescheduled: boolean): OutputEvent => ({
    type: rescheduled ? 'promise.rescheduled' : 'promise.made',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    promiseId: commitment.id,
    by: commitment.by,
    dueAt: formatInstant(commitment.dueAt),
  }),
  dueSoon: (c: ConversationState, commitment: CommitmentState, at: number): OutputEvent => ({
    type: 'promise.due_soon',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    promiseId: commitment.id,
    by: commitment.by,
    dueAt: formatInstant(commitment.dueAt),
  }),
  broken: (c: ConversationState, commitment: CommitmentState, at: number): OutputEvent => ({
    type: 'promise.broken',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    promiseId: commitment.id,
    by: commitment.by,
    dueAt: formatInstant(commitment.dueAt),
  }),
  kept: (c: ConversationState, commitment: CommitmentState, at: number, onTime: boolean): OutputEvent => ({
    type: 'promise.kept',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    promiseId: commitment.id,
    by: commitment.by,
    onTime,
  }),
  cancelled: (c: ConversationState, commitment: CommitmentState, at: number): OutputEvent => ({
    type: 'promise.cancelled',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    promiseId: commitment.id,
    by: commitment.by,
  }),
  breakRetracted: (c: ConversationState, commitment: CommitmentState, at: number): OutputEvent => ({
    type: 'promise.break_retracted',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    promiseId: commitment.id,
    by: commitment.by,
  }),
};

export const relationshipEvents = {
  pattern: (customerId: string, at: number, count: number): OutputEvent => ({
    type: 'customer.pattern',
    at: formatInstant(at),
    customerId,
    count,
  }),
  silent: (customerId: string, at: number, since: number): OutputEvent => ({
    type: 'account.silent',
    at: formatInstant(at),
    customerId,
    since: formatInstant(since),
  }),
  transferLimit: (c: ConversationState, at: number, count: number): OutputEvent => ({
    type: 'conversation.transfer_limit',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    count,
  }),
  detractor: (c: ConversationState, at: number, scale: RatingScale, score: number): OutputEvent => ({
    type: 'feedback.detractor',
    at: formatInstant(at),
    conversationId: c.id,
    customerId: c.customerId,
    scale,
    score,
  }),
};
