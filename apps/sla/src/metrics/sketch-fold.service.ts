import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { APP_CONFIG, WakeableSleep } from '@pw/platform';

import type { SlaConfig } from '../config/sla.config';
import { foldMetricCells, type FoldResult } from './metric-sketches';

/** Folded rows between two vacuums of the tables they leave. */
const VACUUM_EVERY = 100_000;

/**
 * Folds the counters and bins batches write into packed cells, in the background (metric-sketches.ts
 * says why). Back to back while a fold finds a full batch, otherwise every interval. Any
 * instance may fold; one at a time does (an advisory lock), and a fold that fails changes
 * nothing (its transaction), so the next one takes the same rows.
 */
@Injectable()
export class SketchFoldService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SketchFold');
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly pauses = new WakeableSleep();
  private foldedSinceVacuum = 0;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: SlaConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    this.pauses.wake();
    await this.loop;
  }

  /** One fold in its own transaction. */
  foldOnce(): Promise<FoldResult> {
    return this.dataSource.transaction((manager) => foldMetricCells(manager, this.config.sketchFold.batchSize));
  }

  /**
   * Every folded bin row is a dead row, and every fold starts by scanning the table: without
   * vacuum (autovacuum may be off, or behind) each fold would wade through all the dead rows
   * before it, as the outbox relays would (they vacuum themselves for the same reason).
   */
  private async vacuumNowAndThen(folded: number): Promise<void> {
    this.foldedSinceVacuum += folded;
    if (this.foldedSinceVacuum < VACUUM_EVERY) return;
    this.foldedSinceVacuum = 0;
    try {
      await this.dataSource.query(`VACUUM (ANALYZE) sla.metric_sketch_bins, sla.metric_counters, sla.metric_sketches`);
    } catch (error) {
      this.logger.warn(`vacuuming the metric tables failed: ${(error as Error).message}`);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const { bins, counters } = await this.foldOnce();
        await this.vacuumNowAndThen(bins + counters);
        if (Math.max(bins, counters) >= this.config.sketchFold.batchSize) continue;
      } catch (error) {
        this.logger.warn(`folding sketch bins failed, trying again: ${(error as Error).message}`);
      }
      await this.pauses.sleep(this.config.sketchFold.intervalMs);
    }
  }
}
