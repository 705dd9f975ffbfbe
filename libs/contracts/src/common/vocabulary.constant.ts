/** The closed vocabularies of events.md, config.md and semantics.md, in one place. */

export const INTERACTION_KINDS = [
  'message',
  'call',
  'status',
  'promise.made',
  'promise.kept',
  'promise.cancelled',
  'transfer',
  'note',
  'feedback',
] as const;
export type InteractionKind = (typeof INTERACTION_KINDS)[number];

export const CHANNELS = ['email', 'phone', 'chat', 'social', 'web', 'letter', 'in_person', 'other'] as const;
export type Channel = (typeof CHANNELS)[number];

export const DIRECTIONS = ['inbound', 'outbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const CONVERSATION_STATUSES = ['open', 'pending_customer', 'on_hold', 'solved', 'closed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const COMMITMENT_PARTIES = ['provider', 'customer'] as const;
/** Who made a commitment (a "promise" in the contract): us (`provider`) or the customer. */
export type CommitmentParty = (typeof COMMITMENT_PARTIES)[number];

export const RATING_SCALES = ['csat', 'nps'] as const;
export type RatingScale = (typeof RATING_SCALES)[number];

/** Inclusive score range of each rating scale. */
export const RATING_RANGES: Record<RatingScale, { min: number; max: number }> = {
  csat: { min: 1, max: 5 },
  nps: { min: 0, max: 10 },
};

/** The SLA metrics of semantics.md; also the keys of a policy's `targets`. */
export const SLA_METRICS = [
  'acknowledgement',
  'first_response',
  'next_response',
  'periodic_update',
  'resolution',
] as const;
export type SlaMetric = (typeof SLA_METRICS)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
