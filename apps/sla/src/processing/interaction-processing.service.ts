import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { type AcceptedInteraction, parseInstant } from '@pw/contracts';
import type { EntityRef } from '@pw/sla-engine';

import { SlaPrometheus } from '../metrics/sla-prometheus.service';
import { SlaOutboxRelay } from '../outbox/sla-outbox.relay';
import { TimerService } from '../timers/timer.service';
import { EngineRegistry } from './engine-registry.service';
import { TransactionEntityStore } from './entity-store';
import { SlaEffects } from './sla-effects';

export interface BatchResult {
  applied: number;
  duplicates: number;
  outputs: number;
}

/**
 * Applies a batch of accepted interactions in one PostgreSQL transaction: skip the events
 * already applied, apply the rest with the engine, store the changed entities and write the
 * output events to the outbox. The caller commits Kafka offsets only after this returns.
 *
 * Before an event is applied, the timers of its entities due strictly before its arrival
 * fire (event time, as the simulator does): the live timer loop may not have reached them
 * yet (a backlog, a restart), and the result must not depend on that.
 */
@Injectable()
export class InteractionProcessingService {
  private readonly logger = new Logger('InteractionProcessing');

  constructor(
    private readonly dataSource: DataSource,
    private readonly engines: EngineRegistry,
    private readonly relay: SlaOutboxRelay,
    private readonly timers: TimerService,
    private readonly prometheus: SlaPrometheus,
  ) {}

  async applyBatch(records: AcceptedInteraction[]): Promise<BatchResult> {
    if (records.length === 0) return { applied: 0, duplicates: 0, outputs: 0 };
    const stopTimer = this.prometheus.batchSeconds.startTimer();
    const { result, effects } = await this.dataSource.transaction(async (manager) => {
      const claimed: Array<{ tenant_id: string; source: string; event_id: string }> = await manager.query(
        `INSERT INTO sla.applied_events (tenant_id, source, event_id, received_at, event)
         SELECT t, s, i, r, e FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[]) WITH ORDINALITY AS x(t, s, i, r, e, n)
         ORDER BY n
         ON CONFLICT DO NOTHING RETURNING tenant_id, source, event_id`,
        [
          records.map((r) => r.tenantId),
          records.map((r) => r.event.source),
          records.map((r) => r.event.id),
          records.map((r) => r.event.receivedAt ?? r.event.occurredAt),
          records.map((r) => JSON.stringify(r.event)),
        ],
      );
      // The first occurrence of each new key, in batch order (a key repeated in a batch counts once).
      const unclaimed = new Set(claimed.map((row) => `${row.tenant_id}\u0000${row.source}\u0000${row.event_id}`));
      const fresh = records.filter((r) => unclaimed.delete(`${r.tenantId}\u0000${r.event.source}\u0000${r.event.id}`));
      const engines = await this.engines.enginesFor(fresh.map((r) => r.tenantId));
      const store = new TransactionEntityStore(manager);
      const effects = new SlaEffects(store);

      const baseRefs: EntityRef[] = [];
      for (const record of fresh) {
        const engine = engines.get(record.tenantId);
        if (engine) baseRefs.push(...engine.entitiesFor(record.event));
      }
      await store.load(baseRefs);

      let applied = 0;
      for (const record of fresh) {
        const engine = engines.get(record.tenantId);
        if (!engine) {
          this.logger.warn(`tenant ${record.tenantId} has no valid configuration; event ${record.event.id} changes nothing`);
          continue;
        }
        const { event } = record;
        const loaded = {
          conversation: store.conversation(record.tenantId, event.conversationId),
          customer: store.customer(record.tenantId, event.customerId),
        };
        const refs = engine.entitiesFor(event, loaded);
        if (refs.some((ref) => !store.has(ref))) await store.load(refs);
        const occurredAt = parseInstant(event.occurredAt);
        const arrivedAt = Math.max(occurredAt, event.receivedAt === undefined ? occurredAt : parseInstant(event.receivedAt));
        for (const ref of refs) {
          const state = store.get(ref);
          if (state && state.nextDueAt !== null && state.nextDueAt < arrivedAt) {
            this.prometheus.timersCaughtUp.inc();
            effects.absorb(record.tenantId, engine.fireDue(store, state, arrivedAt - 1), null);
          }
        }
        effects.absorb(record.tenantId, engine.apply(store, event), event.agent ?? null);
        this.prometheus.eventsApplied.inc({ tenant: record.tenantId });
        applied++;
      }
      await effects.write(manager);
      return { result: { applied, duplicates: records.length - fresh.length, outputs: effects.outputCount }, effects };
    });
    this.afterCommit(effects, result);
    stopTimer();
    if (result.outputs > 0) this.relay.kick();
    this.timers.kick();
    return result;
  }

  private afterCommit(effects: SlaEffects, result: BatchResult): void {
    if (result.duplicates > 0) this.prometheus.duplicatesSkipped.inc(result.duplicates);
    for (const { tenantId, outcome } of effects.finishedClocks) this.prometheus.recordClock(tenantId, outcome);
    for (const [tenant, type, count] of effects.outputCounts()) this.prometheus.outputs.inc({ tenant, type }, count);
  }
}
