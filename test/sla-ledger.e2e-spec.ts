import { randomUUID } from 'node:crypto';

import type { DataSource, EntityManager } from 'typeorm';

import type { OutputEvent } from '@pw/contracts';
import { createServiceDataSource, initialiseAndMigrate } from '@pw/persistence';

import { slaDataSourceOptions } from '../apps/sla/src/data-source';
import { TransactionEntityStore } from '../apps/sla/src/processing/entity-store';
import { SlaEffects } from '../apps/sla/src/processing/sla-effects';

// An event can happen again, identical (a breach retracted, then breached again at the same due
// instant). Each occurrence must get its own eventId and be published, whether the repeat is
// computed in the same batch, a later batch, a timer round or after a restart; a replay of the
// whole history must find every one of them in the ledger.
describe('sla: the output ledger numbers identical events across batches', () => {
  const url = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/promise_watch_test';
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = createServiceDataSource(slaDataSourceOptions(url));
    await initialiseAndMigrate(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  async function batch(manager: EntityManager, tenantId: string, outputs: OutputEvent[], occurrences?: Map<string, number>): Promise<{ ids: string[]; recorded: number; queued: number }> {
    const effects = new SlaEffects(new TransactionEntityStore(manager), occurrences);
    effects.absorb(tenantId, { outputs, changed: [], created: [], notes: [], outcomes: [] }, null);
    const written = await effects.write(manager);
    return { ids: effects.outputIds(), ...written };
  }

  it('gives a repeat in a later batch the next occurrence, queues it, and a replay reproduces every id', async () => {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      const { manager } = runner;
      const tenantId = randomUUID();
      const conversationId = `ledger-${randomUUID()}`;
      const at = '2026-08-17T14:00:00.000Z';
      const breached = { type: 'sla.breached', at, conversationId, customerId: 'k1', metric: 'resolution', cycle: 2, dueAt: at } as unknown as OutputEvent;
      const retracted = { type: 'sla.breach_retracted', at, conversationId, customerId: 'k1', metric: 'resolution', cycle: 2 } as unknown as OutputEvent;

      const first = await batch(manager, tenantId, [breached]);
      const second = await batch(manager, tenantId, [retracted, breached]);
      const third = await batch(manager, tenantId, [retracted, breached, retracted, breached]);
      for (const written of [first, second, third]) expect(written).toMatchObject({ recorded: written.ids.length, queued: written.ids.length });

      const live = [...first.ids, ...second.ids, ...third.ids];
      expect(new Set(live).size).toBe(7);
      const ledger: Array<{ event_id: string }> = await manager.query(`SELECT event_id FROM sla.output_events WHERE tenant_id = $1 ORDER BY seq`, [tenantId]);
      expect(ledger.map((row) => row.event_id)).toEqual(live);
      const queued: Array<{ type: string }> = await manager.query(
        `SELECT value::jsonb->'event'->>'type' AS type FROM sla.outbox WHERE headers->>'tenant-id' = $1 ORDER BY seq`,
        [tenantId],
      );
      expect(queued.map((row) => row.type)).toEqual(['sla.breached', 'sla.breach_retracted', 'sla.breached', 'sla.breach_retracted', 'sla.breached', 'sla.breach_retracted', 'sla.breached']);

      // A replay recomputes the history in one numbering: the same ids, nothing new.
      const occurrences = new Map<string, number>();
      const replayed = await batch(manager, tenantId, [breached, retracted, breached, retracted, breached, retracted, breached], occurrences);
      expect(replayed.ids).toEqual(live);
      expect(replayed).toMatchObject({ recorded: 0, queued: 0 });
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
