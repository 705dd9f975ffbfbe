import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

import type { AcceptedInteraction } from '@pw/contracts';

import { FaultInjector } from '../faults/fault-injector.service';
import { SlaPrometheus } from '../metrics/sla-prometheus.service';
import { SlaOutboxRelay } from '../outbox/sla-outbox.relay';
import { TimerService } from '../timers/timer.service';
import { applyInteractions, lockTenantsShared } from './apply-interactions';
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
    private readonly faults: FaultInjector,
  ) {}

  async applyBatch(records: AcceptedInteraction[]): Promise<BatchResult> {
    if (records.length === 0) return { applied: 0, duplicates: 0, outputs: 0 };
    const stopTimer = this.prometheus.batchSeconds.startTimer();
    const { result, effects } = await this.dataSource.transaction(async (manager) => {
      const engines = await this.engines.enginesFor(records.map((r) => r.tenantId));
      await lockTenantsShared(manager, records.map((r) => r.tenantId));
      const claimed: Array<{ tenant_id: string; source: string; event_id: string }> = await manager.query(
        `INSERT INTO sla.applied_events (tenant_id, source, event_id, received_at, event, config_version)
         SELECT t, s, i, r, e, v FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[], $6::int[]) WITH ORDINALITY AS x(t, s, i, r, e, v, n)
         ORDER BY n
         ON CONFLICT DO NOTHING RETURNING tenant_id, source, event_id`,
        [
          records.map((r) => r.tenantId),
          records.map((r) => r.event.source),
          records.map((r) => r.event.id),
          records.map((r) => r.event.receivedAt ?? r.event.occurredAt),
          records.map((r) => JSON.stringify(r.event)),
          records.map((r) => {
            const engine = engines.get(r.tenantId);
            return engine ? (this.engines.versionOf(engine) ?? 0) : 0;
          }),
        ],
      );
      // The first occurrence of each new key, in batch order (a key repeated in a batch counts once).
      const unclaimed = new Set(claimed.map((row) => `${row.tenant_id}\u0000${row.source}\u0000${row.event_id}`));
      const fresh = records.filter((r) => unclaimed.delete(`${r.tenantId}\u0000${r.event.source}\u0000${r.event.id}`));
      const store = new TransactionEntityStore(manager);
      const effects = new SlaEffects(store);
      const applied = await applyInteractions(
        store,
        effects,
        fresh.map((r) => ({ tenantId: r.tenantId, event: r.event, engine: engines.get(r.tenantId) })),
        {
          caughtUp: () => this.prometheus.timersCaughtUp.inc(),
          applied: (tenant) => this.prometheus.eventsApplied.inc({ tenant }),
          skipped: ({ tenantId, event }) => this.logger.warn(`tenant ${tenantId} has no valid configuration; event ${event.id} changes nothing`),
        },
      );
      await effects.write(manager);
      this.faults.reached('kill-in-batch');
      return { result: { applied, duplicates: records.length - fresh.length, outputs: effects.outputCount }, effects };
    });
    this.faults.reached('kill-after-batch');
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
