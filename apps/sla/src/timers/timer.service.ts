import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { APP_CONFIG, WakeableSleep } from '@pw/platform';
import type { EntityState } from '@pw/sla-engine';

import type { SlaConfig } from '../config/sla.config';
import { SlaOutboxRelay } from '../outbox/sla-outbox.relay';
import { tryLockTenantsShared } from '../processing/apply-interactions';
import { EngineRegistry } from '../processing/engine-registry.service';
import { TransactionEntityStore } from '../processing/entity-store';
import { SlaEffects } from '../processing/sla-effects';
import { FaultInjector } from '../faults/fault-injector.service';
import { SlaPrometheus } from '../metrics/sla-prometheus.service';

/**
 * Fires due timers. Every entity's next due instant is indexed (`entities.next_due_at`);
 * each round claims the due rows with FOR UPDATE SKIP LOCKED, so several instances share the
 * work without firing a timer twice, fires them with the engine (event time `at` = the due
 * instant, also when late), and stores state and outbox in the same transaction. Between
 * rounds it sleeps until the earliest due instant, at most `pollMs` (other instances'
 * writes), and is woken when a batch writes an earlier one.
 */
@Injectable()
export class TimerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Timers');
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly pauses = new WakeableSleep();

  constructor(
    private readonly dataSource: DataSource,
    private readonly engines: EngineRegistry,
    private readonly relay: SlaOutboxRelay,
    private readonly prometheus: SlaPrometheus,
    private readonly faults: FaultInjector,
    @Inject(APP_CONFIG) private readonly config: SlaConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  kick(): void {
    this.pauses.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.pauses.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const fired = await this.fireRound(Date.now());
        if (fired > 0) continue;
        const next: Array<{ due: string | null }> = await this.dataSource.query(
          `SELECT (extract(epoch from min(next_due_at)) * 1000)::bigint AS due FROM sla.entities WHERE next_due_at IS NOT NULL`,
        );
        const due = next[0]?.due === null || next[0]?.due === undefined ? Number.POSITIVE_INFINITY : Number(next[0].due);
        await this.pauses.sleep(Math.max(0, Math.min(due - Date.now(), this.config.timers.pollMs)));
      } catch (error) {
        this.logger.warn(`timer round failed, retrying: ${(error as Error).message}`);
        await this.pauses.sleep(500);
      }
    }
  }

  /** One round: claims up to a batch of due entities and fires them. */
  async fireRound(nowMs: number): Promise<number> {
    const { fired, effects } = await this.dataSource.transaction(async (manager) => {
      let rows: Array<{ state: EntityState; learned: string }> = await manager.query(
        `SELECT state, (extract(epoch from updated_at) * 1000)::bigint AS learned FROM sla.entities
          WHERE next_due_at <= $1 ORDER BY next_due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [new Date(nowMs).toISOString(), this.config.timers.batchSize],
      );
      const store = new TransactionEntityStore(manager);
      const effects = new SlaEffects(store);
      if (rows.length === 0) return { fired: 0, effects };
      // A tenant under replay is left alone: its rows are rebuilt, and fire after it.
      const unlocked = await tryLockTenantsShared(manager, rows.map((row) => row.state.tenant));
      if (unlocked.size < new Set(rows.map((row) => row.state.tenant)).size) rows = rows.filter((row) => unlocked.has(row.state.tenant));
      for (const { state } of rows) store.adopt(state);
      const engines = await this.engines.enginesFor(rows.map((row) => row.state.tenant));
      // A broken customer commitment needs the customer (the pattern rule).
      await store.load(
        rows.flatMap(({ state }) => (state.entity === 'conversation' ? [{ entity: 'customer' as const, tenant: state.tenant, id: state.customerId }] : [])),
      );
      for (const { state, learned } of rows) {
        const engine = engines.get(state.tenant);
        if (!engine || state.nextDueAt === null) continue;
        // Late by what the service could know: a timer set already overdue counts from when it was set.
        effects.lateness.push(nowMs - Math.max(state.nextDueAt, Number(learned)));
        effects.absorb(state.tenant, engine.fireDue(store, state, nowMs), null);
      }
      await effects.write(manager);
      if (rows.length > 0) this.faults.reached('kill-in-timer-round');
      return { fired: rows.length, effects };
    });
    if (fired > 0) this.faults.reached('kill-after-timer-round');
    for (const lateness of effects.lateness) this.prometheus.detectionLag.observe(Math.max(0, lateness) / 1000);
    for (const { tenantId, outcome } of effects.finishedClocks) this.prometheus.recordClock(tenantId, outcome);
    for (const [tenant, type, count] of effects.outputCounts()) this.prometheus.outputs.inc({ tenant, type }, count);
    if (effects.outputCount > 0) this.relay.kick();
    return fired;
  }
}
