import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';

import { APP_CONFIG } from '@pw/platform';

import type { NotifierConfig } from '../config/notifier.config';
import { jitteredBackoffMs } from '../queues/backoff.util';
import { NotifierQueue } from '../queues/queue-names.constant';
import { QueuesService } from '../queues/queues.service';
import { EscalationsService } from './escalations.service';

/** Thin BullMQ workers: each job hands its work to EscalationsService. */
@Injectable()
export class EscalationProcessors implements OnApplicationBootstrap {
  private readonly logger = new Logger('EscalationProcessors');

  constructor(
    private readonly queues: QueuesService,
    private readonly escalations: EscalationsService,
    @Inject(APP_CONFIG) private readonly config: NotifierConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.queues.work(
      NotifierQueue.EscalationSteps,
      async (job: Job<{ escalationId: string; level: number }>) => this.escalations.runStep(job.data.escalationId, job.data.level, new Date()),
      10,
    );
    const deliveries = this.queues.work(
      NotifierQueue.Deliveries,
      async (job: Job<{ deliveryId: string }>) => this.escalations.deliver(job.data.deliveryId, job.attemptsMade + 1, new Date()),
      this.config.delivery.concurrency,
      { backoffStrategy: (attemptsMade: number) => jitteredBackoffMs(attemptsMade, Math.random) },
    );
    deliveries.on('failed', (job, error) => this.logger.warn(`delivery job ${job?.id} failed: ${error.message}`));
    const rebuilt = await this.escalations.rebuildPendingJobs(new Date());
    if (rebuilt.steps + rebuilt.deliveries > 0) this.logger.log(`re-created ${rebuilt.steps} step and ${rebuilt.deliveries} delivery jobs from PostgreSQL`);
  }
}
