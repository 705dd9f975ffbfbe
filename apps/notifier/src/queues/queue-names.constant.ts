/** Every BullMQ queue of the notifier. */
export enum NotifierQueue {
  /** One delayed job per ladder step: opens the step's deliveries when it is due. */
  EscalationSteps = 'escalation-steps',
  /** One job per delivery (webhook or e-mail), retried with backoff. */
  Deliveries = 'deliveries',
}
