import type { CommitmentParty, RatingScale, SlaMetric } from '../common/vocabulary.constant';

/**
 * The output events of semantics.md. Instants are RFC 3339 in UTC; `at` is the event-time
 * instant the fact became true. On `sla.events.v1` the live service adds `eventId` and
 * `tenant` (see {@link PublishedOutputEvent}).
 */
export const OUTPUT_EVENT_TYPES = [
  'sla.started',
  'sla.warning',
  'sla.paused',
  'sla.resumed',
  'sla.retargeted',
  'sla.breached',
  'sla.met',
  'sla.cancelled',
  'sla.breach_retracted',
  'promise.made',
  'promise.rescheduled',
  'promise.due_soon',
  'promise.broken',
  'promise.kept',
  'promise.cancelled',
  'promise.break_retracted',
  'customer.pattern',
  'account.silent',
  'conversation.transfer_limit',
  'feedback.detractor',
] as const;

export type OutputEventType = (typeof OUTPUT_EVENT_TYPES)[number];

interface OutputEventBase {
  at: string;
  customerId: string;
}

interface ClockEventBase extends OutputEventBase {
  conversationId: string;
  metric: SlaMetric;
  cycle: number;
}

export interface SlaStartedEvent extends ClockEventBase {
  type: 'sla.started';
  policy: string;
  /** `null` only for a calendar that never opens. */
  dueAt: string | null;
}

export interface SlaWarningEvent extends ClockEventBase {
  type: 'sla.warning';
  threshold: number;
  dueAt: string;
}

export interface SlaPausedEvent extends ClockEventBase {
  type: 'sla.paused';
}

export interface SlaResumedEvent extends ClockEventBase {
  type: 'sla.resumed';
  dueAt: string | null;
}

export interface SlaRetargetedEvent extends ClockEventBase {
  type: 'sla.retargeted';
  policy: string;
  /** `null` while the clock is paused short of its new target. */
  dueAt: string | null;
}

export interface SlaBreachedEvent extends ClockEventBase {
  type: 'sla.breached';
  dueAt: string;
}

export interface SlaMetEvent extends ClockEventBase {
  type: 'sla.met';
  onTime: boolean;
  /** Counted time from the start to the meeting event. */
  elapsedSeconds: number;
}

export interface SlaCancelledEvent extends ClockEventBase {
  type: 'sla.cancelled';
  reason: string;
}

export interface SlaBreachRetractedEvent extends ClockEventBase {
  type: 'sla.breach_retracted';
}

interface CommitmentEventBase extends OutputEventBase {
  conversationId: string;
  promiseId: string;
  by: CommitmentParty;
}

export interface CommitmentMadeEvent extends CommitmentEventBase {
  type: 'promise.made' | 'promise.rescheduled';
  dueAt: string;
}

export interface CommitmentDueEvent extends CommitmentEventBase {
  type: 'promise.due_soon' | 'promise.broken';
  dueAt: string;
}

export interface CommitmentKeptEvent extends CommitmentEventBase {
  type: 'promise.kept';
  onTime: boolean;
}

export interface CommitmentClosedEvent extends CommitmentEventBase {
  type: 'promise.cancelled' | 'promise.break_retracted';
}

export interface CustomerPatternEvent extends OutputEventBase {
  type: 'customer.pattern';
  count: number;
}

export interface AccountSilentEvent extends OutputEventBase {
  type: 'account.silent';
  /** The latest public reply to the customer, or the first event seen for it. */
  since: string;
}

export interface TransferLimitEvent extends OutputEventBase {
  type: 'conversation.transfer_limit';
  conversationId: string;
  count: number;
}

export interface FeedbackDetractorEvent extends OutputEventBase {
  type: 'feedback.detractor';
  conversationId: string;
  scale: RatingScale;
  score: number;
}

export type SlaClockEvent =
  | SlaStartedEvent
  | SlaWarningEvent
  | SlaPausedEvent
  | SlaResumedEvent
  | SlaRetargetedEvent
  | SlaBreachedEvent
  | SlaMetEvent
  | SlaCancelledEvent
  | SlaBreachRetractedEvent;

export type CommitmentEvent = CommitmentMadeEvent | CommitmentDueEvent | CommitmentKeptEvent | CommitmentClosedEvent;

export type OutputEvent =
  | SlaClockEvent
  | CommitmentEvent
  | CustomerPatternEvent
  | AccountSilentEvent
  | TransferLimitEvent
  | FeedbackDetractorEvent;

/** An output event as the live service publishes it on `sla.events.v1`. */
export type PublishedOutputEvent = OutputEvent & {
  /** Unique per published event. */
  eventId: string;
  tenant: string;
};

/** The Kafka key of an output event: its conversation, or the customer for account events. */
export function outputEventKey(event: OutputEvent): string {
  return 'conversationId' in event ? event.conversationId : event.customerId;
}
