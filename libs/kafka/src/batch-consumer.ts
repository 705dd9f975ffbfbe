import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';

export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  /** Keeps the group membership alive during long work (call between chunks). */
  heartbeat(): Promise<void>;
}

export interface BatchConsumerOptions {
  groupId: string;
  topics: string[];
  fromBeginning?: boolean;
  /**
   * Handles one partition's batch; throw to have the same batch delivered again. Subclasses
   * override `handleBatch` instead.
   */
  handle?(batch: ConsumedBatch): Promise<void>;
  sessionTimeout?: number;
  /**
   * How many partitions' batches are handled at the same time (default 1). Order within a
   * partition is kept either way; more than one overlaps one batch's database round trips
   * with another's work, as two instances would.
   */
  partitionsConcurrently?: number;
}

/**
 * At-least-once batch consumption: offsets are committed only after the handler has
 * finished (for the services, after their PostgreSQL transaction), so a crash re-delivers
 * the batch and the handler's own deduplication makes the replay harmless. A service's
 * consumer subclasses it (a Nest provider): it joins the group when the application starts
 * and finishes the batch in flight before leaving when it stops.
 */
export class BatchConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);
  private readonly consumer: Consumer;
  private started = false;
  private readonly inflight = new Set<Promise<void>>();
  /** Partitions currently assigned to this instance, updated on every rebalance. */
  assigned: Array<{ topic: string; partition: number }> = [];

  constructor(
    kafka: Kafka,
    private readonly options: BatchConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeout ?? 30_000,
      // Kafka's advice: a heartbeat at most a third of the session timeout.
      heartbeatInterval: Math.min(3_000, Math.floor((options.sessionTimeout ?? 30_000) / 3)),
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      const assignment = event.payload.memberAssignment as Record<string, number[]>;
      this.assigned = Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    for (const topic of this.options.topics) {
      await this.consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning ?? true });
    }
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently ?? 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        const work = (async () => {
          await this.handleBatch({ topic: batch.topic, partition: batch.partition, messages: batch.messages, heartbeat });
          const last = batch.messages[batch.messages.length - 1].offset;
          // Resolving moves this consumer's fetch position (committing alone does not: without
          // it, kafkajs fetches from the old position again, and a partition whose backlog
          // exceeds one fetch never gets past it).
          resolveOffset(last);
          await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
        })();
        const settled = work.catch(() => undefined);
        this.inflight.add(settled);
        try {
          await work;
        } finally {
          this.inflight.delete(settled);
        }
      },
    });
    this.started = true;
  }

  /** One partition's batch; throw to have it delivered again. */
  protected handleBatch(batch: ConsumedBatch): Promise<void> {
    if (!this.options.handle) throw new Error(`${this.constructor.name}: no batch handler`);
    return this.options.handle(batch);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    await Promise.all([...this.inflight]); // let the batches in progress finish and commit
    try {
      await this.consumer.disconnect();
    } catch (error) {
      this.logger.warn(`consumer ${this.options.groupId} did not disconnect cleanly: ${(error as Error).message}`);
    }
  }
}
