import type {
  Channel,
  CommitmentParty,
  ConversationStatus,
  Priority,
  SlaMetric,
} from '@pw/contracts';

/*
 * The engine's state, split per entity (a conversation, a customer) so that a service can keep
 * one row per entity and load only the entities an event touches. Everything is plain JSON:
 * instants are epoch milliseconds, "none" is `null`, no Map, Set, Infinity or undefined.
 */

export const STATE_VERSION = 1;

/**
 * A stretch of a clock's life with one calendar and one paused/running state. Segment `i`
 * covers `[segments[i].from, segments[i + 1].from)`; the last one is open-ended.
 */
export interface ClockSegment {
  from: number;
  /** Counted milliseconds at `from`. */
  counted: number;
  paused: boolean;
  calendar: string;
}

/** A running SLA clock (also after a breach: it runs until met or cancelled). */
export interface ClockState {
  metric: SlaMetric;
  cycle: number;
  policy: string;
  targetMs: number;
  /** Warning fractions of the target, ascending. */
  warnAt: number[];
  startedAt: number;
  segments: ClockSegment[];
  /** Earliest instant counted time reaches the target; `null` while paused short of it, or never. */
  dueAt: number | null;
  /** Warning fractions already emitted (or passed over by a breach). */
  warned: number[];
  breached: boolean;
  /** The fraction of the next warning, or `null` when the next timer is the breach (or none). */
  nextWarning: number | null;
  /** When the next timer (warning or breach) of this clock is due; `null` when none is. */
  timerAt: number | null;
}

/** A commitment (a "promise" in the contract) by us or by the customer, while it is open. */
export interface CommitmentState {
  id: string;
  by: CommitmentParty;
  dueAt: number;
  /** When it was made or last rescheduled. */
  madeAt: number;
  broken: boolean;
  dueSoonDone: boolean;
  /** When `promise.due_soon` or `promise.broken` is next due; `null` when neither is. */
  timerAt: number | null;
}

export interface ConversationState {
  entity: 'conversation';
  version: number;
  tenant: string;
  id: string;
  customerId: string;
  /** The channel of the first customer contact. */
  channel: Channel | null;
  priority: Priority;
  team: string | null;
  tags: string[];
  status: ConversationStatus;
  /** The policy that applied at the latest event; `null` when none matched. */
  policy: string | null;
  /** The configuration revision `policy` was resolved under. */
  policyRevision: string | null;
  /** The first customer contact, which starts `first_response` and `resolution` cycle 1. */
  contactedAt: number | null;
  /*
   * Where each metric stands, whether or not the policy gives it a target (and so a clock):
   * the instant its current cycle started, or `null` when none is running. The start rules
   * (next_response only when none is running, …) follow these, not the clocks.
   */
  acknowledgementSince: number | null;
  firstResponseSince: number | null;
  nextResponseSince: number | null;
  periodicUpdateSince: number | null;
  resolutionSince: number | null;
  cycles: Record<SlaMetric, number>;
  /** Running clocks in the order acknowledgement, first_response, next_response, periodic_update, resolution. */
  clocks: ClockState[];
  commitments: CommitmentState[];
  transfers: number;
  transferLimitReported: boolean;
  /** Whether the customer's `activeConversations` lists this conversation (it has running clocks). */
  listedActive: boolean;
  /** The earliest `timerAt` of its clocks and commitments. */
  nextDueAt: number | null;
}

/** A broken customer commitment, remembered for the pattern rule. */
export interface BrokenCommitmentRecord {
  at: number;
  conversationId: string;
  promiseId: string;
}

export interface CustomerState {
  entity: 'customer';
  version: number;
  tenant: string;
  id: string;
  segment: string | null;
  firstSeenAt: number;
  lastPublicReplyAt: number | null;
  /** The start of the silence for which `account.silent` was already emitted. */
  silenceReportedSince: number | null;
  /** When `account.silent` is due under the current silence rule; `null` when not watched. */
  silenceDueAt: number | null;
  brokenCommitments: BrokenCommitmentRecord[];
  /** Conversations of this customer with running clocks: the ones a segment change retargets. */
  activeConversations: string[];
  nextDueAt: number | null;
}

export type EntityState = ConversationState | CustomerState;

export interface EntityRef {
  entity: 'conversation' | 'customer';
  tenant: string;
  id: string;
}

/** The next instant a timer of this entity is due, or `null`. A service indexes this column. */
export function nextDueAt(state: EntityState): number | null {
  return state.nextDueAt;
}

export function entityRef(state: EntityState): EntityRef {
  return { entity: state.entity, tenant: state.tenant, id: state.id };
}
