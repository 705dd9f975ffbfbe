import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Job } from 'bullmq';

import { APP_CONFIG } from '@pw/platform';

import type { NotifierConfig } from '../config/notifier.config';
import { DeliveriesService, DeliveryRetry } from '../deliveries/deliveries.service';
import { jitteredBackoffMs } from '../queues/backoff.util';
import { NotifierQueue } from '../queues/queue-names.constant';
import { QueuesService } from '../queues/queues.service';
import { EscalationsService } from './escalations.service';

/** Thin BullMQ workers: each job hands its work to a service; a reconcile loop re-creates lost jobs. */
@Injectable()
export class EscalationProcessors implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EscalationProcessors');
  private reconcileTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queues: QueuesService,
    private readonly escalations: EscalationsService,
    private readonly deliveries: DeliveriesService,
    @Inject(APP_CONFIG) private readonly config: NotifierConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Jobs first: the rebuild must not race a worker that is not listening yet (either order is safe).
    await this.reconcile('start');
    this.queues.work(
      NotifierQueue.EscalationSteps,
      async (job: Job<{ escalationId: string; epoch: number; step: number }>) =>
        this.escalations.runStep(job.data.escalationId, job.data.epoch, job.data.step, new Date()),
      20,
    );
    this.queues.work(
      NotifierQueue.AckTimeouts,
      async (job: Job<{ escalationId: string; epoch: number }>) => this.escalations.reopenAfterAckTimeout(job.data.escalationId, job.data.epoch, new Date()),
      5,
    );
    const { backoffMs, backoffCapMs } = this.config.delivery;
    const deliveries = this.queues.work(
      NotifierQueue.Deliveries,
      async (job: Job<{ deliveryId: string }>) => this.deliveries.deliver(job.data.deliveryId, job.attemptsMade + 1, new Date()),
      this.config.delivery.concurrency,
      { backoffStrategy: (attemptsMade: number) => jitteredBackoffMs(attemptsMade, Math.random, backoffMs, backoffCapMs) },
    );
    deliveries.on('failed', (job, error) => {
      if (error instanceof DeliveryRetry) this.logger.debug(`delivery job ${job?.id} will be retried: ${error.message}`);
      else this.logger.error(`delivery job ${job?.id} failed: ${error.stack ?? error.message}`);
    });
    this.reconcileTimer = setInterval(() => void this.reconcile('periodic'), this.config.queue.reconcileMs);
    this.reconcileTimer.unref();
  }

  private async reconcile(reason: 'start' | 'periodic'): Promise<void> {
    try {
      const rebuilt = await this.escalations.rebuildPendingJobs(new Date());
      if (reason === 'start') {
        this.logger.log(`ensured ${rebuilt.steps} step, ${rebuilt.ackTimeouts} ack-timeout and ${rebuilt.deliveries} delivery jobs from PostgreSQL`);
      }
    } catch (error) {
      if (reason === 'start') throw error;
      this.logger.warn(`reconcile failed, next try in ${this.config.queue.reconcileMs} ms: ${(error as Error).message}`);
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.reconcileTimer);
  }
}
