import type { DataSource, EntityManager } from 'typeorm';

import { type AcceptedInteraction, acceptedInteractionKey, interactionEventKey, type InteractionEvent } from '@pw/contracts';
import { TOPICS } from '@pw/kafka';

export interface TenantEvent {
  tenantId: string;
  event: InteractionEvent;
}

/**
 * Records each (tenant, source, id) not seen before and queues those events, in the order
 * given, in the outbox for interactions.accepted.v1: one statement, so it is atomic on its
 * own (the HTTP door needs no explicit transaction, one round trip) and joins the caller's
 * transaction when there is one (the Kafka door). Both doors go through here, so a retry is
 * a duplicate whichever door it takes and however late. Returns, for each entry, whether it
 * was new; the same event twice in `entries` is new at most once, the first time.
 */
export async function storeAcceptedEvents(
  queryable: Pick<EntityManager, 'query'> | Pick<DataSource, 'query'>,
  entries: TenantEvent[],
): Promise<boolean[]> {
  const firstOf = new Map<string, number>();
  const candidates: TenantEvent[] = [];
  const candidateOf = entries.map(({ tenantId, event }) => {
    const key = `${tenantId}\u0000${interactionEventKey(event)}`;
    const known = firstOf.get(key);
    if (known !== undefined) return -1;
    firstOf.set(key, candidates.length);
    candidates.push({ tenantId, event });
    return candidates.length - 1;
  });
  if (candidates.length === 0) return entries.map(() => false);
  // ON CONFLICT DO NOTHING makes a concurrent retry wait for the first copy's commit and then
  // skip it; the outbox rows are numbered in the order given (ORDER BY n).
  // The input travels as one JSON document: serialising it is native (JSON.stringify) where
  // seven text[] parameters would be escaped element by element in JavaScript.
  const input = JSON.stringify(
    candidates.map(({ tenantId, event }) => ({
      tenant_id: tenantId,
      source: event.source,
      event_id: event.id,
      conversation_id: event.conversationId,
      received_at: event.receivedAt ?? new Date(0).toISOString(),
      record_key: acceptedInteractionKey(tenantId, event),
      record_value: JSON.stringify({ tenantId, event } satisfies AcceptedInteraction),
    })),
  );
  const rows: Array<{ n: string }> = await queryable.query(
    `WITH input AS (
       SELECT * FROM ROWS FROM (json_to_recordset($1::json) AS (
         tenant_id uuid, source text, event_id text, conversation_id text, received_at timestamptz, record_key text, record_value text))
         WITH ORDINALITY AS t(tenant_id, source, event_id, conversation_id, received_at, record_key, record_value, n)),
     inserted AS (
       INSERT INTO intake.accepted_events (tenant_id, source, event_id, conversation_id, received_at)
       SELECT tenant_id, source, event_id, conversation_id, received_at FROM input
       ON CONFLICT DO NOTHING RETURNING tenant_id, source, event_id),
     queued AS (
       INSERT INTO intake.outbox (topic, key, value, headers)
       SELECT $2, i.record_key, i.record_value, jsonb_build_object('tenant-id', i.tenant_id::text)
         FROM input i JOIN inserted USING (tenant_id, source, event_id) ORDER BY i.n
       RETURNING 1)
     SELECT i.n FROM input i JOIN inserted USING (tenant_id, source, event_id)`,
    [input, TOPICS.interactionsAccepted],
  );
  const fresh = new Set(rows.map((row) => Number(row.n) - 1));
  return candidateOf.map((index) => index >= 0 && fresh.has(index));
}
