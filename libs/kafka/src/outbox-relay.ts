import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Message } from 'kafkajs';
import type { DataSource } from 'typeorm';

import { WakeableSleep } from '@pw/platform';

import type { KafkaProducerService } from './kafka.module';

/**
 * Transactional outbox relay. A service writes the records it must publish into its own
 * `<schema>.outbox` table in the same transaction as its state; this relay publishes them
 * in `seq` order and deletes them only once Kafka has acknowledged them (acks: all), so a
 * crash at any point leads to a re-send, never a loss. Consumers deduplicate re-sends by
 * the id each record carries. One relay per schema is active at a time (an advisory lock),
 * which keeps per-key order across several instances of a service.
 *
 * Table: seq bigserial primary key, topic text, key text, value text, headers jsonb
 * (OutboxRecordEntity). A service subclasses it with its table name and provides it: it
 * starts with the application and drains the batch in flight when the application stops.
 */
/**
 * Header of an outbox row whose key and value are base64: a record that must leave as the
 * exact bytes it came in as (a dead letter). The relay decodes them and drops the header.
 */
export const OUTBOX_BASE64_HEADER = 'x-outbox-encoding';

export function outboxRowToMessage(row: { key: string | null; value: string; headers: Record<string, string> | null }): Message {
  const headers = row.headers ?? undefined;
  if (headers?.[OUTBOX_BASE64_HEADER] !== 'base64') return { key: row.key, value: row.value, headers };
  const { [OUTBOX_BASE64_HEADER]: _encoding, ...rest } = headers;
  return {
    key: row.key === null ? null : Buffer.from(row.key, 'base64'),
    value: Buffer.from(row.value, 'base64'),
    headers: rest,
  };
}

export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private running = false;
  private readonly pauses = new WakeableSleep();
  private loop: Promise<void> | undefined;
  /** Published records, for the service's own metrics. */
  published = 0;
  private deletedSinceVacuum = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: KafkaProducerService,
    private readonly table: string,
    private readonly options: { batchSize?: number; idleMs?: number; lingerMs?: number; vacuumEvery?: number } = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Called after a commit that wrote outbox rows, so they leave at once. */
  kick(): void {
    this.pauses.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.pauses.wake();
    await this.loop;
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let moved = 0;
      try {
        moved = await this.publishBatch();
      } catch (error) {
        this.logger.warn(`outbox ${this.table}: publish failed, will retry: ${(error as Error).message}`);
        await this.pauses.sleep(1000);
        continue;
      }
      if (moved === 0) await this.pauses.sleep(this.options.idleMs ?? 250);
      // Lingering a moment after a partial batch lets rows from concurrent requests gather,
      // so that many small requests do not each cost a transaction and a Kafka round trip.
      const linger = this.options.lingerMs ?? 0;
      if (linger > 0 && this.running && moved < (this.options.batchSize ?? 500)) await new Promise((resolve) => setTimeout(resolve, linger));
    }
  }

  /** Publishes and deletes one batch; returns how many records left. */
  async publishBatch(): Promise<number> {
    const limit = this.options.batchSize ?? 500;
    const moved = await this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [`outbox:${this.table}`]);
      if (!locked) return 0;
      const rows: Array<{ seq: string; topic: string; key: string | null; value: string; headers: Record<string, string> | null }> =
        await manager.query(`SELECT seq, topic, key, value, headers FROM ${this.table} ORDER BY seq LIMIT $1`, [limit]);
      if (rows.length === 0) return 0;
      const byTopic = new Map<string, typeof rows>();
      for (const row of rows) {
        const list = byTopic.get(row.topic) ?? [];
        list.push(row);
        byTopic.set(row.topic, list);
      }
      for (const [topic, list] of byTopic) {
        await this.producer.send(
          topic,
          list.map((row) => outboxRowToMessage(row)),
        );
      }
      // Exactly the rows sent: a row with a lower seq whose transaction commits only now
      // (seq order is not commit order) is still there for the next batch.
      await manager.query(`DELETE FROM ${this.table} WHERE seq = ANY($1::bigint[])`, [rows.map((row) => row.seq)]);
      this.published += rows.length;
      return rows.length;
    });
    if (moved > 0) await this.vacuumNowAndThen(moved);
    return moved;
  }

  /**
   * An outbox is a queue table: every row is inserted once and deleted once. Without vacuum
   * its dead rows pile up and every scan of it slows down (by hundreds of milliseconds per
   * batch after a million rows), so the relay vacuums it itself every so many deletions
   * instead of trusting autovacuum to be on and tuned for it.
   */
  private async vacuumNowAndThen(deleted: number): Promise<void> {
    this.deletedSinceVacuum += deleted;
    if (this.deletedSinceVacuum < (this.options.vacuumEvery ?? 20_000)) return;
    this.deletedSinceVacuum = 0;
    try {
      await this.dataSource.query(`VACUUM (ANALYZE) ${this.table}`);
    } catch (error) {
      this.logger.warn(`outbox ${this.table}: vacuum failed: ${(error as Error).message}`);
    }
  }

  async backlog(): Promise<number> {
    const [{ count }] = await this.dataSource.query(`SELECT count(*)::int AS count FROM ${this.table}`);
    return count;
  }
}
