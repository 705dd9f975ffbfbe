import { randomUUID } from 'node:crypto';

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

import type { OutputEvent } from '@pw/contracts';
import { APP_CONFIG, WakeableSleep } from '@pw/platform';
import type { EntityState } from '@pw/sla-engine';

import type { SlaConfig } from '../config/sla.config';
import { SlaOutboxRelay } from '../outbox/sla-outbox.relay';
import { EngineRegistry } from '../processing/engine-registry.service';
import { TransactionEntityStore } from '../processing/entity-store';

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
  /** Fired-at minus due-at of every fired timer round, for the detection-lag figure. */
  readonly lateness: number[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly engines: EngineRegistry,
    private readonly relay: SlaOutboxRelay,
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
    let outputs = 0;
    const fired = await this.dataSource.transaction(async (manager) => {
      const rows: Array<{ state: EntityState }> = await manager.query(
        `SELECT state FROM sla.entities WHERE next_due_at <= $1 ORDER BY next_due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [new Date(nowMs).toISOString(), this.config.timers.batchSize],
      );
      const store = new TransactionEntityStore(manager);
      for (const { state } of rows) store.adopt(state);
      for (const { state } of rows) {
        const engine = await this.engines.engineFor(state.tenant);
        if (!engine) continue;
        if (state.entity === 'conversation') await store.load([{ entity: 'customer', tenant: state.tenant, id: state.customerId }]);
        const dueAt = state.nextDueAt;
        const effect = engine.fireDue(store, state, nowMs);
        if (dueAt !== null) this.lateness.push(nowMs - dueAt);
        await store.save(effect.changed);
        await store.publish(state.tenant, effect.outputs as OutputEvent[], effect.outputs.map(() => randomUUID()));
        outputs += effect.outputs.length;
      }
      return rows.length;
    });
    if (this.lateness.length > 10_000) this.lateness.splice(0, this.lateness.length - 10_000);
    if (outputs > 0) this.relay.kick();
    return fired;
  }
}
