/**
 * Kafka topics of the contract. The names are fixed by events.md and semantics.md, so other
 * systems can publish and subscribe without reading our code.
 */
export const Topics = {
  /** Interaction events published by other systems (key: conversationId). */
  interactions: 'interactions.v1',
  /** Interaction events the intake service validated and accepted (key: conversationId). */
  interactionsAccepted: 'interactions.accepted.v1',
  /** Rejected interaction events, with the reason. */
  interactionsDeadLetter: 'interactions.dlq.v1',
  /** Output events of the engine (key: conversationId, or customerId for account events). */
  slaEvents: 'sla.events.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];
