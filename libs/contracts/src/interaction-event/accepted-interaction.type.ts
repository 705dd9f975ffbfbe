import type { InteractionEvent } from './interaction-event.schema';

/**
 * The value of a record on interactions.accepted.v1: an event intake has accepted (validated,
 * deduplicated, `receivedAt` set) and the tenant it belongs to. Key: `tenantId:conversationId`.
 */
export interface AcceptedInteraction {
  tenantId: string;
  event: InteractionEvent;
}

export function acceptedInteractionKey(tenantId: string, event: Pick<InteractionEvent, 'conversationId'>): string {
  return `${tenantId}:${event.conversationId}`;
}
