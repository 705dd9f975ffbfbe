import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { parseInteractionEvent, type InteractionEvent } from '@pw/contracts';
import type { Principal } from '@pw/identity';
import { TOPICS } from '@pw/kafka';
import { ProblemException, type ProblemItem } from '@pw/platform';

import { IntakeOutboxRelay } from '../outbox/intake-outbox.relay';

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

/** What intake publishes on interactions.accepted.v1 for each accepted event. */
export interface AcceptedInteraction {
  tenantId: string;
  event: InteractionEvent;
}

@Injectable()
export class InteractionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: IntakeOutboxRelay,
  ) {}

  /**
   * Validates the whole request first (a bad item rejects all of it), then, in one
   * transaction, records each new (tenant, source, id) and queues it in the outbox. The
   * answer is given only after that commit, so an accepted event is durable.
   */
  async ingest(principal: Principal, body: unknown, maxBatch: number, now: Date): Promise<IngestResult> {
    const items = Array.isArray(body) ? body : [body];
    if (Array.isArray(body) && body.length === 0) {
      throw new ProblemException(400, 'Bad Request', 'the request holds no event', [{ field: '(body)', reason: 'an empty array' }]);
    }
    if (items.length > maxBatch) {
      throw new ProblemException(400, 'Bad Request', `at most ${maxBatch} events per request`, [
        { field: '(body)', reason: `${items.length} events given` },
      ]);
    }
    const receivedAt = now.toISOString();
    const events: InteractionEvent[] = [];
    const problems: ProblemItem[] = [];
    items.forEach((item, index) => {
      const parsed = parseInteractionEvent(item);
      if (parsed.ok) events.push({ ...parsed.event, receivedAt });
      else for (const problem of parsed.problems) problems.push({ index, field: problem.path, reason: problem.message });
    });
    if (problems.length > 0) {
      throw new ProblemException(400, 'Bad Request', `${problems.length} problem(s) in the request; nothing was accepted`, problems);
    }

    // The same event twice in one request counts once.
    const unique = new Map<string, InteractionEvent>();
    for (const event of events) {
      const key = `${event.source}\u0000${event.id}`;
      if (!unique.has(key)) unique.set(key, event);
    }
    const candidates = [...unique.values()];
    const inserted = await this.dataSource.transaction(async (manager) => {
      const rows: Array<{ source: string; event_id: string }> = await manager.query(
        `INSERT INTO intake.accepted_events (tenant_id, source, event_id, conversation_id, received_at)
         SELECT $1, s, i, c, $5 FROM unnest($2::text[], $3::text[], $4::text[]) AS t(s, i, c)
         ON CONFLICT DO NOTHING RETURNING source, event_id`,
        [principal.tenantId, candidates.map((e) => e.source), candidates.map((e) => e.id), candidates.map((e) => e.conversationId), receivedAt],
      );
      const fresh = new Set(rows.map((row) => `${row.source}\u0000${row.event_id}`));
      const accepted = candidates.filter((event) => fresh.has(`${event.source}\u0000${event.id}`));
      if (accepted.length > 0) {
        await manager.query(
          `INSERT INTO intake.outbox (topic, key, value, headers)
           SELECT $1, k, v, jsonb_build_object('tenant-id', $4::text) FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t(k, v, n) ORDER BY n`,
          [
            TOPICS.interactionsAccepted,
            accepted.map((event) => `${principal.tenantId}:${event.conversationId}`),
            accepted.map((event) => JSON.stringify({ tenantId: principal.tenantId, event } satisfies AcceptedInteraction)),
            principal.tenantId,
          ],
        );
      }
      return accepted.length;
    });
    if (inserted > 0) this.relay.kick();
    return { accepted: inserted, duplicates: items.length - inserted };
  }
}
