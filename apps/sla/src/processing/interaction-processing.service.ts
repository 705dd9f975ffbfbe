import { randomUUID } from 'node:crypto';

import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { type AcceptedInteraction, type OutputEvent } from '@pw/contracts';

import { SlaOutboxRelay } from '../outbox/sla-outbox.relay';
import { TimerService } from '../timers/timer.service';
import { EngineRegistry } from './engine-registry.service';
import { TransactionEntityStore } from './entity-store';

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
  ) {}

  async applyBatch(records: AcceptedInteraction[]): Promise<{ applied: number; outputs: number }> {
    if (records.length === 0) return { applied: 0, outputs: 0 };
    const result = await this.dataSource.transaction(async (manager) => {
      const claimed: Array<{ tenant_id: string; source: string; event_id: string }> = await manager.query(
        `INSERT INTO sla.applied_events (tenant_id, source, event_id)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING RETURNING tenant_id, source, event_id`,
        [records.map((r) => r.tenantId), records.map((r) => r.event.source), records.map((r) => r.event.id)],
      );
      const fresh = new Set(claimed.map((row) => `${row.tenant_id}\u0000${row.source}\u0000${row.event_id}`));
      const store = new TransactionEntityStore(manager);
      let applied = 0;
      let outputs = 0;
      for (const record of records) {
        const key = `${record.tenantId}\u0000${record.event.source}\u0000${record.event.id}`;
        if (!fresh.delete(key)) continue; // already applied (a redelivery), or twice in this batch
        const engine = await this.engines.engineFor(record.tenantId);
        if (!engine) {
          this.logger.warn(`tenant ${record.tenantId} has no valid configuration; event ${record.event.id} changes nothing`);
          continue;
        }
        const base = engine.entitiesFor(record.event);
        await store.load(base);
        const loaded = {
          conversation: store.conversation(record.tenantId, record.event.conversationId),
          customer: store.customer(record.tenantId, record.event.customerId),
        };
        await store.load(engine.entitiesFor(record.event, loaded));
        const effect = engine.apply(store, record.event);
        await store.save(effect.changed);
        await store.publish(record.tenantId, effect.outputs as OutputEvent[], effect.outputs.map(() => randomUUID()));
        applied++;
        outputs += effect.outputs.length;
      }
      return { applied, outputs };
    });
    if (result.outputs > 0) this.relay.kick();
    this.timers.kick();
    return result;
  }
}
