import path from 'node:path';
import { Worker } from 'node:worker_threads';

import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import type { KafkaConnectionOptions, LogSink } from './kafka.factory';
import { nestKafkaLogSink } from './kafka.module';
import type { OutboxRelayOptions } from './outbox-relay';

/** What a relay thread is started with (structured-cloned: no functions). */
export interface RelayWorkerData {
  table: string;
  databaseUrl: string;
  applicationName: string;
  kafka: KafkaConnectionOptions;
  options: Pick<OutboxRelayOptions, 'batchSize' | 'idleMs' | 'lingerMs' | 'vacuumEvery'>;
}

export type RelayThreadMessage =
  | { type: 'ready' }
  | { type: 'log'; level: 'warn' | 'error'; message: string }
  | { type: 'kafka-log'; level: Parameters<LogSink>[0]; message: string; extra: Record<string, unknown> };

const RESTART_DELAY_MS = 1000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * An OutboxRelay (same guarantees: relay lock, in-flight record, reconcile) running in a
 * worker thread of its own. Encoding records for Kafka is CPU work on the thread that runs
 * it: on the request thread it took a fifth of the intake's time and held every HTTP answer
 * behind it (docs/benchmarks.md: 36,000 events/s accepted without the relay on that thread,
 * 16,000–20,000 with it). A thread that dies is started again; a relay lock held by its
 * connection is released when that connection closes, and the next relay reconciles.
 */
export class OutboxRelayThread implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private readonly kafkaLog = nestKafkaLogSink(new Logger('Kafka'));
  private worker: Worker | undefined;
  private running = false;
  private kickQueued = false;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly data: RelayWorkerData,
  ) {}

  /** Resolves once the thread's relay runs; rejects if the thread fails before that. */
  start(): Promise<void> {
    this.running = true;
    return this.spawn();
  }

  /** Called after a commit that wrote outbox rows, so they leave at once (one message per turn of the loop). */
  kick(): void {
    if (this.kickQueued || !this.worker) return;
    this.kickQueued = true;
    setImmediate(() => {
      this.kickQueued = false;
      this.worker?.postMessage('kick');
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('stop');
    const timer = setTimeout(() => {
      this.logger.warn(`outbox ${this.data.table}: the relay thread did not stop within ${STOP_TIMEOUT_MS} ms; terminating it`);
      void worker.terminate();
    }, STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  async backlog(): Promise<number> {
    const [{ count }] = await this.dataSource.query(`SELECT count(*)::int AS count FROM ${this.data.table}`);
    return count;
  }

  private spawn(): Promise<void> {
    const worker = startRelayWorker(this.data);
    this.worker = worker;
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: RelayThreadMessage) => {
        if (message.type === 'ready') {
          ready = true;
          resolve();
        } else if (message.type === 'log') this.logger[message.level](message.message);
        else this.kafkaLog(message.level, message.message, message.extra);
      });
      worker.on('error', (error) => this.logger.error(`outbox ${this.data.table}: relay thread error: ${error.stack ?? error.message}`));
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = undefined;
        if (!ready) reject(new Error(`outbox ${this.data.table}: the relay thread exited (code ${code}) before it started; see the log line before this one`));
        if (!this.running) return;
        this.logger.error(`outbox ${this.data.table}: relay thread exited (code ${code}); starting a new one in ${RESTART_DELAY_MS} ms`);
        this.restartTimer = setTimeout(() => {
          if (this.running) this.spawn().catch(() => undefined);
        }, RESTART_DELAY_MS);
      });
    });
  }
}

/**
 * Runs from source as the service does (through SWC, with the repository's path aliases) or
 * from compiled JavaScript, whichever this file is.
 */
function startRelayWorker(data: RelayWorkerData): Worker {
  const extension = path.extname(__filename);
  const entry = path.join(__dirname, `outbox-relay.worker${extension}`);
  if (extension !== '.ts') return new Worker(entry, { workerData: data });
  const register = require.resolve('@swc-node/register');
  return new Worker(`require(${JSON.stringify(register)}); require(${JSON.stringify(entry)});`, { eval: true, workerData: data });
}
