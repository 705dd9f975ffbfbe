import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { APP_CONFIG, WakeableSleep } from '@pw/platform';

import type { SlaConfig } from '../config/sla.config';
import { foldSketchBins, type FoldResult } from './metric-sketches';

/**
 * Folds the bins batches write into packed sketches, in the background (metric-sketches.ts
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
    return this.dataSource.transaction((manager) => foldSketchBins(manager, this.config.sketchFold.batchSize));
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const { bins } = await this.foldOnce();
        if (bins >= this.config.sketchFold.batchSize) continue;
      } catch (error) {
        this.logger.warn(`folding sketch bins failed, trying again: ${(error as Error).message}`);
      }
      await this.pauses.sleep(this.config.sketchFold.intervalMs);
    }
  }
}
