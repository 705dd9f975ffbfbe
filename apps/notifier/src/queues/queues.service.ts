import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { type JobsOptions, Queue, type Processor, Worker } from 'bullmq';
import { Redis } from 'ioredis';

import { APP_CONFIG } from '@pw/platform';

import type { NotifierConfig } from '../config/notifier.config';
import { NotifierQueue } from './queue-names.constant';

// PostgreSQL keeps the record of every step and attempt. A failed job is removed so that
// re-creating it from PostgreSQL (at start, or by the periodic reconcile) is never a no-op.
const RETENTION: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: true,
};

/** The notifier's BullMQ queues and workers; Redis only times and distributes the work. */
@Injectable()
export class QueuesService implements OnApplicationShutdown {
  readonly connection: Redis;
  private readonly queues = new Map<NotifierQueue, Queue>();
  private readonly workers: Worker[] = [];

  constructor(@Inject(APP_CONFIG) private readonly config: NotifierConfig) {
    this.connection = new Redis(config.redis.url, { maxRetriesPerRequest: null, lazyConnect: false });
  }

  queue(name: NotifierQueue): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.config.queue.prefix, defaultJobOptions: RETENTION });
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Adds a job under a deterministic id: adding the same id twice is a no-op. */
  async add(name: NotifierQueue, jobId: string, data: object, options: JobsOptions = {}): Promise<void> {
    await this.addMany(name, [{ jobId, data, options }]);
  }

  /** Adds jobs in one round trip (chunks of 1,000), each under its deterministic id. */
  async addMany(name: NotifierQueue, jobs: Array<{ jobId: string; data: object; options?: JobsOptions }>): Promise<void> {
    for (let i = 0; i < jobs.length; i += 1000) {
      await this.queue(name).addBulk(jobs.slice(i, i + 1000).map((job) => ({ name, data: job.data, opts: { ...job.options, jobId: job.jobId } })));
    }
  }

  work(name: NotifierQueue, processor: Processor, concurrency: number, settings?: Worker['opts']['settings']): Worker {
    const worker = new Worker(name, processor, {
      connection: this.connection.duplicate(),
      prefix: this.config.queue.prefix,
      concurrency,
      settings,
      // A job whose worker was killed goes back to the queue after the lock expires; it may
      // run again (every effect is guarded in PostgreSQL), it must never be dropped.
      lockDuration: this.config.queue.lockMs,
      stalledInterval: this.config.queue.lockMs,
      maxStalledCount: 1000,
    });
    this.workers.push(worker);
    return worker;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.connection.disconnect();
  }
}
