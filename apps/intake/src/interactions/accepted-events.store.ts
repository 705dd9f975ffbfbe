import type { EntityManager } from 'typeorm';

import { type AcceptedInteraction, acceptedInteractionKey, interactionEventKey, type InteractionEvent } from '@pw/contracts';
import { TOPICS } from '@pw/kafka';

/**
 * Inside the caller's transaction: records each (tenant, source, id) not seen before and
 * queues those events, in the order given, in the outbox for interactions.accepted.v1. Both
 * doors go through here, so a retry is a duplicate whichever door it takes and however
 * late. Returns the events that were new; the same event twice in `events` counts once.
 */
export async function storeAcceptedEvents(manager: EntityManager, tenantId: string, events: InteractionEvent[]): Promise<InteractionEvent[]> {
  const unique = new Map<string, InteractionEvent>();
  for (const event of events) {
    const key = interactionEventKey(event);
    if (!unique.has(key)) unique.set(key, event);
  }
  const candidates = [...unique.values()];
  if (candidates.length === 0) return [];
  const rows: Array<{ source: string; event_id: string }> = await manager.query(
    `INSERT INTO intake.accepted_events (tenant_id, source, event_id, conversation_id, received_at)
     SELECT $1, s, i, c, r::timestamptz FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS t(s, i, c, r)
     ON CONFLICT DO NOTHING RETURNING source, event_id`,
    [
      tenantId,
      candidates.map((event) => event.source),
      candidates.map((event) => event.id),
      candidates.map((event) => event.conversationId),
      candidates.map((event) => event.receivedAt ?? new Date(0).toISOString()),
    ],
  );
  const fresh = new Set(rows.map((row) => interactionEventKey({ source: row.source, id: row.event_id })));
  const accepted = candidates.filter((event) => fresh.has(interactionEventKey(event)));
  if (accepted.length > 0) {
    await manager.query(
      `INSERT INTO intake.outbox (topic, key, value, headers)
       SELECT $1, k, v, jsonb_build_object('tenant-id', $4::text) FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t(k, v, n) ORDER BY n`,
      [
        TOPICS.interactionsAccepted,
        accepted.map((event) => acceptedInteractionKey(tenantId, event)),
        accepted.map((event) => JSON.stringify({ tenantId, event } satisfies AcceptedInteraction)),
        tenantId,
      ],
    );
  }
  return accepted;
}
