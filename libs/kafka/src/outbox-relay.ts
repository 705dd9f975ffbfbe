import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka, Message } from 'kafkajs';
import type { DataSource, QueryRunner } from 'typeorm';

import { WakeableSleep } from '@pw/platform';

import { readPartitionTails } from './partition-tails';

/** What the relay publishes with: KafkaProducerService (idempotent, acks: all). */
export interface OutboxPublisher {
  readonly kafka: Kafka;
  send(topic: string, messages: Message[]): Promise<void>;
}

export interface OutboxRelayOptions {
  batchSize?: number;
  idleMs?: number;
  lingerMs?: number;
  vacuumEvery?: number;
  /** Called between a batch's send and its DELETE (the crash tests' fault hook). */
  afterSend?: () => void;
  /** Where its warnings go (a Nest Logger by default; a relay thread hands them to its parent). */
  warn?: (message: string) => void;
}

/** Header of every published record: the outbox row it came from (`<table>:<seq>`). */
export const OUTBOX_ID_HEADER = 'outbox-id';

interface OutboxRow {
  seq: string;
  topic: string;
  key: string | null;
  value: string;
  headers: Record<string, string> | null;
}

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

/**
 * Transactional outbox relay. A service writes the records it must publish into its own
 * `<schema>.outbox` table in the same transaction as its state; this relay publishes them
 * and deletes them once Kafka has acknowledged them (acks: all), so a crash never loses one.
 *
 * Nor does it publish one twice. One relay per outbox is active at a time (a session-level
 * advisory lock, which also keeps per-key order across several instances of a service). Before
 * each send it records the batch in `<schema>.outbox_in_flight`; the DELETE of the sent rows
 * clears that record in the same transaction. A relay that takes the lock and finds such a
 * record (its holder died between sending and deleting), or whose own send failed part way,
 * first reads the tails of the topics concerned and deletes the rows already there (each
 * record carries its row's id in the `outbox-id` header) before it sends the rest.
 *
 * Tables: outbox (seq bigserial primary key, topic text, key text, value text, headers
 * jsonb: OutboxRecordEntity) and outbox_in_flight (seqs bigint[], since timestamptz). A
 * service subclasses it with its table name and provides it: it starts with the application
 * and finishes the batch in flight when the application stops.
 */
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly warn: (message: string) => void;
  private running = false;
  private readonly pauses = new WakeableSleep();
  private loop: Promise<void> | undefined;
  /** Published records, for the service's own metrics. */
  published = 0;
  private deletedSinceVacuum = 0;
  /** The connection holding the relay lock, while this instance is the active relay. */
  private holder: QueryRunner | undefined;
  /** Whether a batch may have been sent without its rows being deleted. */
  private unsure = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: OutboxPublisher,
    private readonly table: string,
    private readonly options: OutboxRelayOptions = {},
  ) {
    const logger = new Logger('OutboxRelay');
    this.warn = options.warn ?? ((message) => logger.warn(message));
  }

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
    await this.releaseLock();
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
        this.warn(`outbox ${this.table}: publish failed, will retry: ${(error as Error).message}`);
        // What was sent is unknown: the next batch (here or in another instance) checks first.
        this.unsure = true;
        await this.releaseLock();
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

  private get inFlightTable(): string {
    return `${this.table}_in_flight`;
  }

  /** Takes the relay lock on a connection of its own, or says another instance holds it. */
  private async acquireLock(): Promise<QueryRunner | undefined> {
    if (this.holder) return this.holder;
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS locked`, [`outbox:${this.table}`]);
      if (!locked) {
        await runner.release();
        return undefined;
      }
      const [{ pending }] = await runner.query(`SELECT count(*)::int AS pending FROM ${this.inFlightTable}`);
      // The previous holder died (or failed) between a send and its DELETE.
      if (pending > 0) this.unsure = true;
      this.holder = runner;
      return runner;
    } catch (error) {
      await runner.release().catch(() => undefined);
      throw error;
    }
  }

  private async releaseLock(): Promise<void> {
    const runner = this.holder;
    this.holder = undefined;
    if (!runner) return;
    // Closing the session releases its advisory lock (also when the unlock fails).
    await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`outbox:${this.table}`]).catch(() => undefined);
    await runner.release().catch(() => undefined);
  }

  /**
   * Deletes the rows of a batch that may have been sent and are already on their topics (found
   * by their `outbox-id` in each partition's last `batchSize` records: nothing was published
   * after that batch, since its relay held the lock until it died).
   */
  private async reconcile(runner: QueryRunner): Promise<void> {
    const inFlight: Array<{ seq: string; topic: string }> = await runner.query(
      `SELECT o.seq, o.topic FROM ${this.table} o JOIN (SELECT unnest(seqs) AS seq FROM ${this.inFlightTable}) f ON f.seq = o.seq`,
    );
    const sent: string[] = [];
    for (const topic of new Set(inFlight.map((row) => row.topic))) {
      const wanted = new Set(inFlight.filter((row) => row.topic === topic).map((row) => `${this.table}:${row.seq}`));
      for (const { message } of await readPartitionTails(this.producer.kafka, topic, this.options.batchSize ?? 500)) {
        const id = message.headers?.[OUTBOX_ID_HEADER]?.toString();
        if (id && wanted.delete(id)) sent.push(id.slice(this.table.length + 1));
      }
    }
    await runner.startTransaction();
    try {
      if (sent.length > 0) await runner.query(`DELETE FROM ${this.table} WHERE seq = ANY($1::bigint[])`, [sent]);
      await runner.query(`DELETE FROM ${this.inFlightTable}`);
      await runner.commitTransaction();
    } catch (error) {
      await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    }
    this.warn(`outbox ${this.table}: ${inFlight.length} row(s) of an interrupted batch; ${sent.length} had been published and were not sent again`);
  }

  /** Publishes and deletes one batch; returns how many records left. */
  async publishBatch(): Promise<number> {
    const runner = await this.acquireLock();
    if (!runner) return 0;
    if (this.unsure) {
      await this.reconcile(runner);
      this.unsure = false;
    }
    const limit = this.options.batchSize ?? 500;
    // The batch is read and recorded as in flight by one statement (committed before the
    // send), and deleted with that record by another: two round trips per batch, not six.
    const rows: OutboxRow[] = await runner.query(
      `WITH batch AS (SELECT seq, topic, key, value, headers FROM ${this.table} ORDER BY seq LIMIT $1),
            recorded AS (INSERT INTO ${this.inFlightTable} (seqs) SELECT array_agg(seq) FROM batch HAVING count(*) > 0)
       SELECT * FROM batch ORDER BY seq`,
      [limit],
    );
    if (rows.length === 0) return 0;
    const seqs = rows.map((row) => row.seq);
    const byTopic = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const list = byTopic.get(row.topic) ?? [];
      list.push(row);
      byTopic.set(row.topic, list);
    }
    for (const [topic, list] of byTopic) {
      await this.producer.send(
        topic,
        list.map((row) => {
          const message = outboxRowToMessage(row);
          return { ...message, headers: { ...message.headers, [OUTBOX_ID_HEADER]: `${this.table}:${row.seq}` } };
        }),
      );
    }
    this.options.afterSend?.();
    // Exactly the rows sent: a row with a lower seq whose transaction commits only now
    // (seq order is not commit order) is still there for the next batch. One statement, so
    // the rows and the in-flight record go together or not at all.
    await runner.query(
      `WITH sent AS (DELETE FROM ${this.table} WHERE seq = ANY($1::bigint[])) DELETE FROM ${this.inFlightTable}`,
      [seqs],
    );
    this.published += rows.length;
    await this.vacuumNowAndThen(rows.length);
    return rows.length;
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
      await this.dataSource.query(`VACUUM (ANALYZE) ${this.table}, ${this.inFlightTable}`);
    } catch (error) {
      this.warn(`outbox ${this.table}: vacuum failed: ${(error as Error).message}`);
    }
  }

  async backlog(): Promise<number> {
    const [{ count }] = await this.dataSource.query(`SELECT count(*)::int AS count FROM ${this.table}`);
    return count;
  }
}
