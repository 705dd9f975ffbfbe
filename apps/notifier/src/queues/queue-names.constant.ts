/** Every BullMQ queue of the notifier. */
export enum NotifierQueue {
  /** One delayed job per ladder step and run: opens the step's deliveries when it is due. */
  EscalationSteps = 'escalation-steps',
  /** One delayed job per acknowledgement with an ackTimeout: re-opens it if the cause is still on. */
  AckTimeouts = 'ack-timeouts',
  /** One job per delivery (webhook, Slack or e-mail) and redelivery, retried with backoff. */
  Deliveries = 'deliveries',
}
