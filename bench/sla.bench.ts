/*
 * The sla service end to end, next to its raw ceilings measured in the same run, and its
 * timer loop with a million open conversations, against the real PostgreSQL and a Kafka
 * broker of its own on the same machine.
 *   npm run bench:sla [-- --events N --conversations N --seed N --open N --due N --due-seconds N
 *                        --port N --skip-timers]
 *
 * 1. Produces the accepted records of a generated stream (InteractionStream, STREAM_CONFIG) to
 *    interactions.accepted.v1, as intake's relay writes them, before anything is timed. The
 *    timeline starts an hour after the run and `receivedAt` is each event's arrival instant:
 *    the records intake would have written had the events arrived in real time, so the engine
 *    sees the simulator's order. A conversation's timers due before its next event fire when
 *    that event is applied (the service's caught-up path); the timer loop finds nothing due
 *    during this phase (it is measured on its own in 5).
 * 2. Kafka ceiling: a kafkajs consumer with the service's consumer settings (fresh group,
 *    eachBatch, one partition at a time, offsets committed per batch), consuming only.
 * 3. PostgreSQL ceiling: the statements the service sends for each of those batches (captured,
 *    not timed, by running the service's own apply code on an in-memory stand-in for PostgreSQL)
 *    replayed from this process on one connection, with the outbox drained on a second
 *    connection as the relay does (without Kafka). Its rows are deleted afterwards. Then the
 *    same statements on two writers (the partitions split between them), and the floor: only
 *    the rows any design must write (the dedup record with the event, the state, one outbox row
 *    per output) on one writer and on two.
 * 4. End to end: sla started on the backlog; from the first committed batch until every record
 *    is applied (offsets committed after the transaction) and the outbox is empty (the relay
 *    deletes a row only after Kafka acknowledged it). Peak RSS and CPU of each process.
 * 5. Timers: sla stopped, 1,000,000 open conversations (clocks due 12–24 h ahead) written, sla
 *    started, then conversations whose first_response breaches are due over the next 20 s;
 *    lateness of each sla.breached (record timestamp on sla.events.v1 and arrival here, minus
 *    the due instant) and the service's detection-lag histogram; the plan of the claim query.
 * Prints a summary block on stdout (progress on stderr). Figures, not a test: it never fails on a goal.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import { CompressionTypes, type Consumer, Kafka, logLevel, type Message } from 'kafkajs';
import { Client } from 'pg';
import type { EntityManager } from 'typeorm';

import {
  type AcceptedInteraction,
  formatInstant,
  type InteractionEvent,
  type InteractionEventInput,
  normaliseInteractionEvent,
  parseInteractionEvent,
} from '@pw/contracts';
import { createIdentityDataSource, IdentityService } from '@pw/identity';
import { createKafkaClient, ensureTopics, TOPICS } from '@pw/kafka';
import { initialiseAndMigrate } from '@pw/persistence';
import { compileEngineConfig, type ConversationState, type CustomerState, type EntityState, SlaEngine } from '@pw/sla-engine';
import { InteractionStream, type RunningService, startService, STREAM_CONFIG } from '@pw/test-support';

// The service's own apply code, used read-only to capture the statements it sends per batch.
import { applyInteractions, lockTenantsShared } from '../apps/sla/src/processing/apply-interactions';
import { TransactionEntityStore } from '../apps/sla/src/processing/entity-store';
import { SlaEffects, upsertEntities } from '../apps/sla/src/processing/sla-effects';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '300000' },
    conversations: { type: 'string', default: '30000' },
    seed: { type: 'string', default: '20261205' },
    days: { type: 'string', default: '60' },
    open: { type: 'string', default: '1000000' },
    due: { type: 'string', default: '20000' },
    'due-seconds': { type: 'string', default: '20' },
    port: { type: 'string', default: '13302' },
    'skip-timers': { type: 'boolean', default: false },
    /** LOG_LEVEL of the service (its log is printed if the benchmark fails). */
    'service-log-level': { type: 'string', default: 'warn' },
  },
});
const EVENTS = Number(values.events);
const CONVERSATIONS = Number(values.conversations);
const OPEN = Number(values.open);
const DUE = Number(values.due);
const DUE_SECONDS = Number(values['due-seconds']);
const PORT = Number(values.port);
const TOPIC = TOPICS.interactionsAccepted;
const PARTITIONS = 6;
const SERVICE_GROUP = 'sla.interactions';
const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/promise_watch_bench';
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:19092').split(',');
const run = randomUUID().slice(0, 8);
const HOUR = 3_600_000;

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (n: number) => Math.round(n).toLocaleString('en');
const log = (line: string) => process.stderr.write(`[bench:sla ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** CPU seconds (user + system) a process has used so far (clock ticks of 1/100 s), 0 when gone. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of every process whose command is `name` (PostgreSQL's backends, …). */
function cpuSecondsOf(name: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm === name) total += cpuSeconds(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Busy and total CPU seconds of the whole machine (all cores). */
function machineSeconds(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = fields[3] + fields[4];
  return { busy: (total - idle) / 100, total: total / 100 };
}

function memoryMiB(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rss: Math.round(kib('VmRSS') / 1024), hwm: Math.round(kib('VmHWM') / 1024) };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

function kafkaBrokerPid(): number | undefined {
  const dir = process.env['STACK_DIR'];
  if (!dir) return undefined;
  try {
    return Number(readFileSync(path.join(dir, 'kafka', 'kafka.pid'), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

/** Where the CPU went over a stretch of time, in cores. */
class CpuMeter {
  private readonly before: ReturnType<CpuMeter['snapshot']>;
  constructor(private readonly slaPid: number | undefined) {
    this.before = this.snapshot();
  }

  private snapshot() {
    const broker = kafkaBrokerPid();
    const bench = process.cpuUsage();
    return {
      at: performance.now(),
      sla: this.slaPid ? cpuSeconds(this.slaPid) : 0,
      postgres: cpuSecondsOf('postgres'),
      kafka: broker ? cpuSeconds(broker) : 0,
      bench: (bench.user + bench.system) / 1e6,
      machine: machineSeconds(),
    };
  }

  cores(): Record<'sla' | 'postgres' | 'kafka' | 'bench' | 'machine' | 'other', number> {
    const after = this.snapshot();
    const seconds = (after.at - this.before.at) / 1000;
    const cores = (a: number, b: number) => Number(((a - b) / seconds).toFixed(2));
    const result = {
      sla: cores(after.sla, this.before.sla),
      postgres: cores(after.postgres, this.before.postgres),
      kafka: cores(after.kafka, this.before.kafka),
      bench: cores(after.bench, this.before.bench),
      machine: cores(after.machine.busy, this.before.machine.busy),
      other: 0,
    };
    result.other = Number(Math.max(0, result.machine - result.sla - result.postgres - result.kafka - result.bench).toFixed(2));
    return result;
  }
}

/** Samples a process's RSS every 200 ms; the peak is the larger of the samples and VmHWM. */
class RssSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly pid: number) {
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, memoryMiB(pid).rss);
    }, 200);
  }

  stop(): number {
    clearInterval(this.timer);
    return Math.max(this.peak, memoryMiB(this.pid).hwm);
  }
}

// ---------------------------------------------------------------------------------------------
// The service, its tenants and its tables

let sla: RunningService | undefined;
/** The log lines of the last instance started, for a failure message. */
let lastLogs: string[] = [];

async function startSla(): Promise<RunningService> {
  const env: Record<string, string> = { DATABASE_URL: databaseUrl, LOG_LEVEL: values['service-log-level'] as string };
  sla = await startService('sla', PORT, env, 120_000);
  lastLogs = sla.logs;
  return sla;
}

async function stopSla(): Promise<void> {
  const running = sla;
  sla = undefined;
  if (running) await running.stop();
}

async function putConfig(url: string, adminKey: string): Promise<void> {
  const response = await fetch(`${url}/v1/config`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(STREAM_CONFIG),
  });
  if (response.status !== 200) throw new Error(`PUT /v1/config answered ${response.status}: ${await response.text()}`);
}

const TENANT_TABLES = ['entities', 'applied_events', 'output_events', 'finished_clocks', 'metric_counters', 'metric_sketch_bins'];

async function clearTenants(db: Client, tenantIds: string[]): Promise<void> {
  if (tenantIds.length === 0) return;
  for (const table of TENANT_TABLES) await db.query(`DELETE FROM sla.${table} WHERE tenant_id = ANY($1::uuid[])`, [tenantIds]);
  // PostgreSQL here may run without autovacuum: the dead rows would slow the next phase down.
  await db.query(`VACUUM (ANALYZE) ${TENANT_TABLES.map((table) => `sla.${table}`).join(', ')}, sla.outbox`);
}

async function outboxEmpty(db: Client): Promise<boolean> {
  const { rows } = await db.query('SELECT NOT EXISTS (SELECT 1 FROM sla.outbox) AS empty');
  return rows[0].empty as boolean;
}

/** States built here, written by the service's own upsert. */
async function writeEntities(db: Client, states: EntityState[]): Promise<void> {
  await upsertEntities(db, states);
}

// ---------------------------------------------------------------------------------------------
// 1. The stream, produced before anything is timed

interface StreamRecord {
  eventJson: string;
  conversationId: string;
  partition: number;
}

function generate(tenantId: string, start: number): { records: StreamRecord[]; uniqueEvents: number } {
  const stream = new InteractionStream({ events: EVENTS, conversations: CONVERSATIONS, seed: Number(values.seed), start, days: Number(values.days), idPrefix: `${run}-` });
  const records: StreamRecord[] = [];
  const keys = new Set<string>();
  for (let chunk = stream.next(10_000); chunk.length > 0; chunk = stream.next(10_000)) {
    for (const { event, arrivedAt } of chunk) {
      // intake stamps receivedAt on every event it accepts: here, the instant it arrived.
      const accepted: InteractionEvent = { ...event, receivedAt: formatInstant(arrivedAt) };
      keys.add(`${event.source}\u0000${event.id}`);
      records.push({
        eventJson: JSON.stringify(accepted),
        conversationId: event.conversationId,
        partition: fnv1a(`${tenantId}:${event.conversationId}`) % PARTITIONS,
      });
    }
  }
  return { records, uniqueEvents: keys.size };
}

async function produce(kafka: Kafka, tenantId: string, records: StreamRecord[]): Promise<{ seconds: number; bytes: number }> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const started = performance.now();
  let bytes = 0;
  try {
    // One send at a time keeps each partition in production order (offsets ↔ records below).
    for (let i = 0; i < records.length; i += 5000) {
      const messages: Message[] = records.slice(i, i + 5000).map((record) => {
        const value = `{"tenantId":${JSON.stringify(tenantId)},"event":${record.eventJson}}`;
        bytes += value.length;
        return { key: `${tenantId}:${record.conversationId}`, value, partition: record.partition, headers: { 'tenant-id': tenantId } };
      });
      await producer.send({ topic: TOPIC, messages, acks: -1, compression: CompressionTypes.None });
    }
  } finally {
    await producer.disconnect();
  }
  return { seconds: (performance.now() - started) / 1000, bytes };
}

// ---------------------------------------------------------------------------------------------
// 2. Kafka ceiling: consume only, with the service's consumer settings

interface ConsumedBatchShape {
  partition: number;
  firstOffset: number;
  count: number;
}

async function kafkaCeiling(kafka: Kafka, total: number): Promise<{ eventsPerSecond: number; seconds: number; batches: ConsumedBatchShape[] }> {
  // As BatchConsumer (libs/kafka/src/batch-consumer.ts) configures and runs it.
  const consumer: Consumer = kafka.consumer({
    groupId: `bench-sla-ceiling-${run}`,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 100,
  });
  const batches: ConsumedBatchShape[] = [];
  let consumed = 0;
  let firstDone: { at: number; count: number } | undefined;
  let finished: (at: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finished = resolve));
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 1,
    eachBatch: async ({ batch, isRunning, isStale, resolveOffset }) => {
      if (!isRunning() || isStale() || batch.messages.length === 0) return;
      const first = Number(batch.messages[0].offset);
      const last = batch.messages[batch.messages.length - 1].offset;
      batches.push({ partition: batch.partition, firstOffset: first, count: batch.messages.length });
      resolveOffset(last);
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
      consumed += batch.messages.length;
      firstDone ??= { at: performance.now(), count: batch.messages.length };
      if (consumed >= total) finished(performance.now());
    },
  });
  const end = await done;
  await consumer.disconnect();
  // Each record once: a batch fetched again would skew both ceilings (and the captured statements).
  if (consumed !== total) throw new Error(`kafka ceiling: consumed ${consumed} records, expected ${total}`);
  const first = firstDone as { at: number; count: number };
  const seconds = (end - first.at) / 1000;
  return { eventsPerSecond: (total - first.count) / seconds, seconds, batches };
}

// ---------------------------------------------------------------------------------------------
// 3. PostgreSQL ceiling: the service's statements, captured, then replayed

interface Statement {
  sql: string;
  params: unknown[];
}

interface CapturedBatch {
  /** Sent by the service outside the batch's transaction (the configuration versions). */
  outside: Statement[];
  inside: Statement[];
  outputs: number;
}

/** The batch's first statement in InteractionProcessingService.applyBatch (not exported there). */
const APPLIED_EVENTS_SQL = `INSERT INTO sla.applied_events (tenant_id, source, event_id, received_at, event, config_version)
         SELECT t, s, i, r, e, v FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[], $6::int[]) WITH ORDINALITY AS x(t, s, i, r, e, v, n)
         ORDER BY n
         ON CONFLICT DO NOTHING RETURNING tenant_id, source, event_id`;
/** TenantConfigService.currentVersions, asked by EngineRegistry.enginesFor for every batch. */
const CONFIG_VERSIONS_SQL = `SELECT tenant_id, max(version) AS version FROM sla.tenant_configs WHERE tenant_id = ANY($1::uuid[]) GROUP BY tenant_id`;

/**
 * Stands in for PostgreSQL while the service's apply code runs: answers the entity loads from
 * the states written so far (as fresh objects, like jsonb), the dedup insert from the keys
 * claimed so far, and records every statement with its parameters.
 */
class CapturingManager {
  statements: Statement[] = [];
  private readonly claimed = new Set<string>();
  private readonly states = new Map<string, string>();

  async query(sql: string, params: unknown[] = []): Promise<unknown> {
    this.statements.push({ sql, params });
    if (sql.includes('INSERT INTO sla.applied_events')) {
      const [t, s, i] = params as string[][];
      const rows: Array<{ tenant_id: string; source: string; event_id: string }> = [];
      for (let n = 0; n < t.length; n++) {
        const key = `${t[n]}\u0000${s[n]}\u0000${i[n]}`;
        if (this.claimed.has(key)) continue;
        this.claimed.add(key);
        rows.push({ tenant_id: t[n], source: s[n], event_id: i[n] });
      }
      return rows;
    }
    if (sql.includes('FROM sla.entities e')) {
      const [t, k, i] = params as string[][];
      const rows: Array<{ state: EntityState }> = [];
      for (let n = 0; n < t.length; n++) {
        const json = this.states.get(`${t[n]}\u0000${k[n]}\u0000${i[n]}`);
        if (json) rows.push({ state: JSON.parse(json) as EntityState });
      }
      return rows;
    }
    if (sql.includes('INSERT INTO sla.entities')) {
      const [t, k, i, s] = params as string[][];
      for (let n = 0; n < t.length; n++) this.states.set(`${t[n]}\u0000${k[n]}\u0000${i[n]}`, s[n]);
      return [];
    }
    if (sql.includes('INSERT INTO sla.output_events')) {
      const count = (params[0] as unknown[]).length;
      return [{ recorded: count, queued: count }];
    }
    return [];
  }

  take(): Statement[] {
    const taken = this.statements;
    this.statements = [];
    return taken;
  }
}

/** Runs the service's apply path (InteractionProcessingService.applyBatch) for each batch on the stand-in. */
async function captureBatches(tenantId: string, records: StreamRecord[], batches: number[][]): Promise<CapturedBatch[]> {
  const compiled = compileEngineConfig(STREAM_CONFIG);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  const engine = new SlaEngine(tenantId, compiled.config);
  const manager = new CapturingManager();
  const asManager = manager as unknown as EntityManager;
  const captured: CapturedBatch[] = [];
  for (const batch of batches) {
    // What InteractionsConsumer.handleBatch hands over: each value parsed and checked again.
    const accepted: AcceptedInteraction[] = batch.map((index) => {
      const parsed = parseInteractionEvent(JSON.parse(records[index].eventJson));
      if (!parsed.ok) throw new Error(`generated event ${index} does not parse`);
      return { tenantId, event: parsed.event };
    });
    const outside: Statement[] = [{ sql: CONFIG_VERSIONS_SQL, params: [[tenantId]] }];
    await lockTenantsShared(asManager, accepted.map((r) => r.tenantId));
    const claimed = (await manager.query(APPLIED_EVENTS_SQL, [
      accepted.map((r) => r.tenantId),
      accepted.map((r) => r.event.source),
      accepted.map((r) => r.event.id),
      accepted.map((r) => r.event.receivedAt ?? r.event.occurredAt),
      accepted.map((r) => JSON.stringify(r.event)),
      accepted.map(() => 1),
    ])) as Array<{ tenant_id: string; source: string; event_id: string }>;
    const unclaimed = new Set(claimed.map((row) => `${row.tenant_id}\u0000${row.source}\u0000${row.event_id}`));
    const fresh = accepted.filter((r) => unclaimed.delete(`${r.tenantId}\u0000${r.event.source}\u0000${r.event.id}`));
    const store = new TransactionEntityStore(asManager);
    const effects = new SlaEffects(store);
    await applyInteractions(store, effects, fresh.map((r) => ({ tenantId: r.tenantId, event: r.event, engine })));
    await effects.write(asManager);
    captured.push({ outside, inside: manager.take(), outputs: effects.outputCount });
  }
  return captured;
}

/** The relay's batch (OutboxRelay.publishBatch) without the Kafka send, on a connection holding the relay lock. */
async function drainOutboxBatch(db: Client): Promise<number> {
  const { rows } = await db.query(`SELECT seq, topic, key, value, headers FROM sla.outbox ORDER BY seq LIMIT $1`, [1000]);
  if (rows.length === 0) return 0;
  const seqs = rows.map((row) => row.seq as string);
  await db.query(`INSERT INTO sla.outbox_in_flight (seqs) VALUES ($1::bigint[])`, [seqs]);
  await db.query('BEGIN');
  try {
    await db.query(`DELETE FROM sla.outbox WHERE seq = ANY($1::bigint[])`, [seqs]);
    await db.query(`DELETE FROM sla.outbox_in_flight`);
    await db.query('COMMIT');
    return rows.length;
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }
}

/** A statement's kind for the time breakdown: its verb and first table. */
function statementKind(sql: string): string {
  const match = /\b(INSERT INTO|UPDATE|DELETE FROM|FROM)\s+(sla\.\w+)/i.exec(sql);
  const verb = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '?';
  return match ? `${verb === 'WITH' ? 'WITH' : match[1].toUpperCase()} ${match[2]}` : verb;
}

/** Where the writer's time went in the PostgreSQL ceiling, by statement kind (ms). */
const statementMs = new Map<string, number>();

/**
 * The least any design must write per event, from the same captured batches: the dedup record
 * with the event (replay rebuilds from it), the entity loads and upserts (the state), and one
 * outbox row per output (the published events). No ledger, no metrics, no finished clocks.
 */
function floorBatches(captured: CapturedBatch[]): CapturedBatch[] {
  return captured.map((batch) => {
    const inside: Statement[] = [];
    for (const statement of batch.inside) {
      if (/INSERT INTO sla\.applied_events|FROM sla\.entities e|INSERT INTO sla\.entities/.test(statement.sql)) inside.push(statement);
      else if (statement.sql.includes('INSERT INTO sla.output_events')) {
        const [tenants, , , , conversations, customers, bodies, topic] = statement.params as [string[], unknown, unknown, unknown, Array<string | null>, string[], string[], string];
        inside.push({
          sql: `INSERT INTO sla.outbox (topic, key, value, headers)
                SELECT $1, k, v, jsonb_build_object('tenant-id', t) FROM unnest($2::text[], $3::text[], $4::text[]) AS x(t, k, v)`,
          params: [topic, tenants, conversations.map((c, i) => c ?? customers[i]), bodies],
        });
      }
    }
    return { outside: batch.outside, inside, outputs: batch.outputs };
  });
}

/** Batches split over `lanes` writers by partition (a conversation's batches stay on one writer, in order). */
function byLane(captured: CapturedBatch[], partitions: number[], lanes: number): CapturedBatch[][] {
  const split: CapturedBatch[][] = Array.from({ length: lanes }, () => []);
  captured.forEach((batch, i) => split[partitions[i] % lanes].push(batch));
  return split;
}

async function postgresCeiling(
  lanes: CapturedBatch[][],
  total: number,
  timings?: Map<string, number>,
): Promise<{ eventsPerSecond: number; writesPerSecond: number; seconds: number; cores: ReturnType<CpuMeter['cores']> }> {
  const writers = lanes.map((_, i) => new Client({ connectionString: databaseUrl, application_name: `bench-sla-ceiling-${i}` }));
  const drainer = new Client({ connectionString: databaseUrl, application_name: 'bench-sla-ceiling-relay' });
  for (const writer of writers) await writer.connect();
  await drainer.connect();
  await drainer.query(`SELECT pg_advisory_lock(hashtext($1))`, ['outbox:sla.outbox']);
  let kick: () => void = () => undefined;
  let writing = lanes.length;
  const meter = new CpuMeter(undefined);
  const started = performance.now();
  try {
    const lane = async (writer: Client, captured: CapturedBatch[]) => {
      for (const batch of captured) {
        for (const statement of batch.outside) await writer.query(statement.sql, statement.params);
        await writer.query('BEGIN');
        for (const statement of batch.inside) {
          const before = performance.now();
          await writer.query(statement.sql, statement.params);
          const kind = statementKind(statement.sql);
          timings?.set(kind, (timings.get(kind) ?? 0) + performance.now() - before);
        }
        const commitStart = performance.now();
        await writer.query('COMMIT');
        timings?.set('COMMIT', (timings.get('COMMIT') ?? 0) + performance.now() - commitStart);
        if (batch.outputs > 0) kick();
      }
      writing--;
      kick();
      return performance.now();
    };
    const writes = Promise.all(lanes.map((captured, i) => lane(writers[i], captured))).then((ends) => Math.max(...ends));
    // The relay's loop: batches of 1000 while there are rows, a 250 ms nap (or a kick) when none.
    const drain = (async () => {
      let deletedSinceVacuum = 0;
      for (;;) {
        const moved = await drainOutboxBatch(drainer);
        deletedSinceVacuum += moved;
        if (deletedSinceVacuum >= 20_000) {
          deletedSinceVacuum = 0;
          await drainer.query('VACUUM (ANALYZE) sla.outbox, sla.outbox_in_flight');
        }
        if (moved > 0) continue;
        if (writing === 0) return performance.now();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 250);
          kick = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    })();
    const [writesEnd, drainEnd] = await Promise.all([writes, drain]);
    const seconds = (drainEnd - started) / 1000;
    return { eventsPerSecond: total / seconds, writesPerSecond: total / ((writesEnd - started) / 1000), seconds, cores: meter.cores() };
  } finally {
    for (const writer of writers) await writer.end();
    await drainer.end();
  }
}

// ---------------------------------------------------------------------------------------------
// 4. End to end

async function committedRecords(admin: ReturnType<Kafka['admin']>): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId: SERVICE_GROUP, topics: [TOPIC] });
  return (offsets?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

async function topicRecords(admin: ReturnType<Kafka['admin']>, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  return response.text();
}

function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

/** Cumulative bucket counts of an unlabelled histogram, by upper bound (Infinity last). */
function histogram(text: string, name: string): Array<[number, number]> {
  const buckets: Array<[number, number]> = [];
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)`).exec(line);
    if (match) buckets.push([match[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[1]), Number(match[2])]);
  }
  return buckets.sort((a, b) => a[0] - b[0]);
}

/** A quantile of a histogram's difference between two scrapes, interpolated within its bucket (seconds). */
function histogramQuantile(before: Array<[number, number]>, after: Array<[number, number]>, q: number): { value: number; count: number } {
  const delta = after.map(([le, count], index) => [le, count - (before[index]?.[1] ?? 0)] as [number, number]);
  const total = delta[delta.length - 1]?.[1] ?? 0;
  if (total === 0) return { value: Number.NaN, count: 0 };
  const target = q * total;
  let lower = 0;
  let below = 0;
  for (const [le, cumulative] of delta) {
    if (cumulative >= target) {
      if (!Number.isFinite(le)) return { value: Number.POSITIVE_INFINITY, count: total };
      return { value: lower + ((le - lower) * (target - below)) / Math.max(1, cumulative - below), count: total };
    }
    lower = le;
    below = cumulative;
  }
  return { value: Number.NaN, count: total };
}

// ---------------------------------------------------------------------------------------------
// 5. Timers

/** A first inbound contact on the web channel (the `default` policy: first_response 24 h, resolution 5 d, 24x7). */
function contact(conversationId: string, customerId: string, at: number): InteractionEvent {
  const input = {
    id: `${conversationId}-1`,
    source: 'bench',
    kind: 'message',
    channel: 'web',
    direction: 'inbound',
    conversationId,
    customerId,
    occurredAt: formatInstant(at),
    receivedAt: formatInstant(at),
    team: 'care',
    priority: 'normal',
    segment: 'consumer',
  } as InteractionEventInput;
  return normaliseInteractionEvent(input);
}

/**
 * Open conversations built by the engine itself: each gets its first contact at `startOf(i)`
 * and is written (with its customers) in chunks of 10,000.
 */
async function writeOpenConversations(
  db: Client,
  engine: SlaEngine,
  prefix: string,
  count: number,
  customers: number,
  startOf: (index: number) => number,
): Promise<{ firstDue: number | null }> {
  const customerStates = new Map<string, CustomerState>();
  const access = {
    conversation: () => undefined,
    customer: (_tenant: string, id: string) => customerStates.get(id),
  };
  let chunk: EntityState[] = [];
  let firstDue: number | null = null;
  for (let i = 0; i < count; i++) {
    const result = engine.apply(access, contact(`${prefix}c-${i}`, `${prefix}k-${i % customers}`, startOf(i)));
    for (const state of result.created) {
      if (state.entity === 'customer') customerStates.set(state.id, state);
      else chunk.push(state);
    }
    if (i === 0) firstDue = (result.created.find((state) => state.entity === 'conversation') as ConversationState).nextDueAt;
    if (chunk.length >= 10_000) {
      await writeEntities(db, chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) await writeEntities(db, chunk);
  const customerList = [...customerStates.values()];
  for (let i = 0; i < customerList.length; i += 10_000) await writeEntities(db, customerList.slice(i, i + 10_000));
  return { firstDue };
}

interface TappedOutput {
  type: string;
  at: number;
  publishedAt: number;
  receivedAt: number;
}

/** Records sla.events.v1 of one tenant from its current end on, with the record timestamp and the arrival here. */
async function openTap(kafka: Kafka, tenantId: string): Promise<{ outputs: TappedOutput[]; close(): Promise<void> }> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(TOPICS.slaEvents);
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `bench-sla-tap-${randomUUID()}`, maxWaitTimeInMs: 10 });
  const outputs: TappedOutput[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.slaEvents, fromBeginning: false });
  let joined: () => void = () => undefined;
  const joinedGroup = new Promise<void>((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const receivedAt = Date.now();
      for (const message of batch.messages) {
        const record = JSON.parse(message.value?.toString('utf8') ?? 'null') as { tenantId: string; event: { type: string; at: string } } | null;
        if (record?.tenantId !== tenantId) continue;
        outputs.push({ type: record.event.type, at: Date.parse(record.event.at), publishedAt: Number(message.timestamp), receivedAt });
      }
    },
  });
  for (const { partition, offset } of ends) {
    for (let attempt = 0; ; attempt++) {
      try {
        consumer.seek({ topic: TOPICS.slaEvents, partition, offset });
        break;
      } catch (error) {
        if (attempt > 500 || !/not initialized/.test(String(error))) throw error;
        await sleep(20);
      }
    }
  }
  await joinedGroup;
  return { outputs, close: () => consumer.disconnect() };
}

async function explain(db: Client, sql: string, params: unknown[]): Promise<string[]> {
  await db.query('BEGIN');
  try {
    const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    return rows.map((row) => row['QUERY PLAN'] as string);
  } finally {
    await db.query('ROLLBACK');
  }
}

/** The claim query of TimerService.fireRound (not exported there). */
const TIMER_CLAIM_SQL = `SELECT state, (extract(epoch from updated_at) * 1000)::bigint AS learned FROM sla.entities
          WHERE next_due_at <= $1 ORDER BY next_due_at LIMIT $2 FOR UPDATE SKIP LOCKED`;
const TIMER_NEXT_SQL = `SELECT (extract(epoch from min(next_due_at)) * 1000)::bigint AS due FROM sla.entities WHERE next_due_at IS NOT NULL`;

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const db = new Client({ connectionString: databaseUrl, application_name: 'bench-sla' });
  await db.connect();
  const kafka = createKafkaClient({ brokers, clientId: 'bench-sla' }, (level, message) => {
    if (level === 'error') log(`kafkajs: ${message}`);
  });
  const quiet = new Kafka({ clientId: 'bench-sla-tap', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const identityDataSource = createIdentityDataSource(databaseUrl);
  const ourTenants: string[] = [];
  const report: Record<string, unknown> = {};
  const lines: string[] = [];
  try {
    const pgVersion = (await db.query('SHOW server_version')).rows[0].server_version as string;
    const autovacuum = (await db.query('SHOW autovacuum')).rows[0].autovacuum as string;
    const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL ${pgVersion} (autovacuum ${autovacuum})`;
    log(machine);

    await initialiseAndMigrate(identityDataSource);
    const identity = new IdentityService(identityDataSource);
    const tenant = async (label: string) => {
      const name = `bench-sla-${run}${label}`;
      const created = await identity.createTenant(name, 10_000_000);
      ourTenants.push(created.id);
      return { id: created.id, admin: (await identity.createKey(name, ['admin'])).key };
    };
    const liveTenant = await tenant('');
    const ceilingTenant = await tenant('-pg');
    const timerTenant = await tenant('-timers');

    // Leftovers of earlier runs (an interrupted one leaves rows that would become due).
    const { rows: stale } = await db.query(`SELECT id FROM identity.tenants WHERE name LIKE 'bench-sla-%' AND NOT (id = ANY($1::uuid[]))`, [ourTenants]);
    const hasSla = (await db.query(`SELECT to_regclass('sla.entities') IS NOT NULL AS present`)).rows[0].present as boolean;
    if (hasSla && stale.length > 0) {
      log(`removing the sla rows of ${stale.length} earlier bench tenants`);
      await clearTenants(db, stale.map((row) => row.id as string));
    }

    // 0. The service once: its migrations and topics, and the tenants' configuration.
    const topicsAdmin = kafka.admin();
    await topicsAdmin.connect();
    await ensureTopics(topicsAdmin);
    await topicsAdmin.disconnect();
    if ((await topicRecords(admin, TOPIC)) > 0) throw new Error(`${TOPIC} is not empty: run through \`npm run bench:sla\` (a broker of its own)`);
    log('starting sla to store the configuration');
    await startSla();
    await putConfig((sla as RunningService).url, liveTenant.admin);
    await putConfig((sla as RunningService).url, timerTenant.admin);
    while (!(await outboxEmpty(db))) await sleep(50);
    await stopSla();

    // 1. The stream.
    const timelineStart = Date.now() + HOUR;
    const generation = performance.now();
    const { records, uniqueEvents } = generate(liveTenant.id, timelineStart);
    log(`generated ${fmt(records.length)} events (${fmt(uniqueEvents)} distinct) over ${fmt(CONVERSATIONS)} conversations in ${((performance.now() - generation) / 1000).toFixed(1)} s`);
    const byPartition: number[][] = Array.from({ length: PARTITIONS }, () => []);
    records.forEach((record, index) => byPartition[record.partition].push(index));
    const produced = await produce(kafka, liveTenant.id, records);
    log(`produced them in ${produced.seconds.toFixed(1)} s (${fmt(records.length / produced.seconds)} records/s, ${Math.round(produced.bytes / records.length)} bytes per value)`);

    // 2. Kafka ceiling.
    const kafkaResult = await kafkaCeiling(kafka, records.length);
    const sizes = kafkaResult.batches.map((batch) => batch.count).sort((a, b) => a - b);
    log(`kafka ceiling: ${fmt(kafkaResult.eventsPerSecond)} records/s, ${kafkaResult.batches.length} batches (median ${quantile(sizes, 0.5)} records)`);

    // 3. PostgreSQL ceiling, on the batches kafkajs handed out in 2.
    const batchIndices = kafkaResult.batches.map(({ partition, firstOffset, count }) => byPartition[partition].slice(firstOffset, firstOffset + count));
    const captureStart = performance.now();
    let captured: CapturedBatch[] | undefined = await captureBatches(ceilingTenant.id, records, batchIndices);
    const statementsPerBatch = captured.reduce((sum, batch) => sum + batch.outside.length + batch.inside.length + 2, 0) / captured.length;
    const capturedOutputs = captured.reduce((sum, batch) => sum + batch.outputs, 0);
    log(`captured the service's statements in ${((performance.now() - captureStart) / 1000).toFixed(1)} s (${statementsPerBatch.toFixed(1)} per batch with BEGIN/COMMIT, ${fmt(capturedOutputs)} outputs); replaying`);
    const pgResult = await postgresCeiling([captured], records.length, statementMs);
    log(`postgres ceiling: ${fmt(pgResult.eventsPerSecond)} events/s (writes alone ${fmt(pgResult.writesPerSecond)}/s); removing its rows`);
    const breakdown = [...statementMs.entries()].sort((a, b) => b[1] - a[1]);
    const writerMs = breakdown.reduce((sum, [, ms]) => sum + ms, 0);
    log(`postgres ceiling, writer time by statement: ${breakdown.map(([kind, ms]) => `${kind} ${Math.round((100 * ms) / writerMs)} %`).join(', ')}`);
    await clearTenants(db, [ceilingTenant.id]);
    // 3b. The same rows on two writers (partitions split between them), and the floor: only
    // the rows every design needs (dedup record with the event, state, outbox), on one and two.
    const partitions = kafkaResult.batches.map((batch) => batch.partition);
    const twoWriters = await postgresCeiling(byLane(captured, partitions, 2), records.length);
    await clearTenants(db, [ceilingTenant.id]);
    const floor = floorBatches(captured);
    captured = undefined;
    const floorOne = await postgresCeiling([floor], records.length);
    await clearTenants(db, [ceilingTenant.id]);
    const floorTwo = await postgresCeiling(byLane(floor, partitions, 2), records.length);
    await clearTenants(db, [ceilingTenant.id]);
    log(
      `postgres, the same rows on two writers: ${fmt(twoWriters.eventsPerSecond)} events/s; ` +
        `the floor (dedup + state + outbox only): ${fmt(floorOne.eventsPerSecond)} events/s on one writer, ${fmt(floorTwo.eventsPerSecond)} on two`,
    );

    // 4. End to end.
    const slowerCeiling = Math.min(kafkaResult.eventsPerSecond, pgResult.eventsPerSecond);
    const publishedBefore = await topicRecords(admin, TOPICS.slaEvents);
    log('starting sla on the backlog');
    const live = await startSla();
    const pid = live.process.pid as number;
    const rss = new RssSampler(pid);
    let first: { at: number; committed: number; meter: CpuMeter } | undefined;
    let appliedAt: number | undefined;
    let drainedAt: number | undefined;
    const deadline = Date.now() + 30 * 60_000;
    let progress = { committed: -1, at: Date.now() };
    while (drainedAt === undefined) {
      if (Date.now() > deadline) throw new Error('the service did not finish within 30 minutes');
      if (live.process.exitCode !== null) throw new Error(`sla exited with ${live.process.exitCode}`);
      const committed = await committedRecords(admin);
      if (committed !== progress.committed) progress = { committed, at: Date.now() };
      else if (Date.now() - progress.at > 60_000) throw new Error(`no batch committed for 60 s (at ${committed} of ${records.length} records)`);
      const now = performance.now();
      if (!first && committed > 0) first = { at: now, committed, meter: new CpuMeter(pid) };
      if (appliedAt === undefined && committed >= records.length) appliedAt = now;
      if (appliedAt !== undefined && (await outboxEmpty(db))) drainedAt = performance.now();
      else await sleep(50);
    }
    const started = first as { at: number; committed: number; meter: CpuMeter };
    const e2eCores = started.meter.cores();
    const peakRss = rss.stop();
    const e2eSeconds = (drainedAt - started.at) / 1000;
    const e2eRate = (records.length - started.committed) / e2eSeconds;
    const appliedRate = (records.length - started.committed) / (((appliedAt as number) - started.at) / 1000);
    const metricsText = await scrape(live.url);
    const serviceBatches = metricValue(metricsText, 'sla_batch_duration_seconds_count');
    const serviceBatchSeconds = metricValue(metricsText, 'sla_batch_duration_seconds_sum');
    const applied = Number((await db.query('SELECT count(*)::int AS n FROM sla.applied_events WHERE tenant_id = $1', [liveTenant.id])).rows[0].n);
    const recorded = Number((await db.query('SELECT count(*)::int AS n FROM sla.output_events WHERE tenant_id = $1', [liveTenant.id])).rows[0].n);
    const published = (await topicRecords(admin, TOPICS.slaEvents)) - publishedBefore;
    log(`end to end: ${fmt(e2eRate)} events/s; ${fmt(applied)} applied, ${fmt(recorded)} outputs recorded, ${fmt(published)} published`);
    await stopSla();

    report['machine'] = machine;
    report['stream'] = { events: records.length, distinct: uniqueEvents, conversations: CONVERSATIONS, timeline: `${new Date(timelineStart).toISOString()} + ${values.days} days`, valueBytes: Math.round(produced.bytes / records.length) };
    report['kafkaCeiling'] = { eventsPerSecond: Math.round(kafkaResult.eventsPerSecond), seconds: Number(kafkaResult.seconds.toFixed(2)), batches: kafkaResult.batches.length, medianBatch: quantile(sizes, 0.5), maxBatch: sizes[sizes.length - 1] };
    report['postgresCeiling'] = { eventsPerSecond: Math.round(pgResult.eventsPerSecond), writesOnlyEventsPerSecond: Math.round(pgResult.writesPerSecond), seconds: Number(pgResult.seconds.toFixed(2)), statementsPerBatch: Number(statementsPerBatch.toFixed(1)), outputs: capturedOutputs, cores: pgResult.cores };
    report['postgresTwoWriters'] = { eventsPerSecond: Math.round(twoWriters.eventsPerSecond), seconds: Number(twoWriters.seconds.toFixed(2)), cores: twoWriters.cores };
    report['postgresFloor'] = {
      rows: 'applied_events (with the event), entity loads and upserts, one outbox row per output',
      oneWriter: { eventsPerSecond: Math.round(floorOne.eventsPerSecond), seconds: Number(floorOne.seconds.toFixed(2)), cores: floorOne.cores },
      twoWriters: { eventsPerSecond: Math.round(floorTwo.eventsPerSecond), seconds: Number(floorTwo.seconds.toFixed(2)), cores: floorTwo.cores },
    };
    report['endToEnd'] = {
      eventsPerSecond: Math.round(e2eRate),
      appliedEventsPerSecond: Math.round(appliedRate),
      seconds: Number(e2eSeconds.toFixed(2)),
      outboxDrainedAfterLastApplyMs: Math.round(drainedAt - (appliedAt as number)),
      ratioToSlowerCeiling: Number((e2eRate / slowerCeiling).toFixed(2)),
      ratioToKafka: Number((e2eRate / kafkaResult.eventsPerSecond).toFixed(2)),
      ratioToPostgres: Number((e2eRate / pgResult.eventsPerSecond).toFixed(2)),
      applied,
      outputsRecorded: recorded,
      outputsPublished: published,
      outputsPerEvent: Number((recorded / applied).toFixed(2)),
      serviceBatches,
      meanBatchRecords: serviceBatches > 0 ? Math.round(records.length / serviceBatches) : null,
      meanBatchMs: serviceBatches > 0 ? Number(((serviceBatchSeconds / serviceBatches) * 1000).toFixed(1)) : null,
      cores: e2eCores,
      slaPeakRssMiB: peakRss,
    };
    lines.push(
      `sla benchmark (${machine})`,
      `stream: ${fmt(records.length)} accepted events (${fmt(uniqueEvents)} distinct), ${fmt(CONVERSATIONS)} conversations, ${(recorded / applied).toFixed(2)} outputs per event`,
      `  kafka ceiling (kafkajs consume only)      ${fmt(kafkaResult.eventsPerSecond).padStart(9)} events/s   (${kafkaResult.batches.length} batches, median ${quantile(sizes, 0.5)} records)`,
      `  postgres ceiling (service's statements)  ${fmt(pgResult.eventsPerSecond).padStart(9)} events/s   (writes alone ${fmt(pgResult.writesPerSecond)}/s; postgres ${pgResult.cores.postgres} cores)`,
      `    the same rows on two writers           ${fmt(twoWriters.eventsPerSecond).padStart(9)} events/s   (postgres ${twoWriters.cores.postgres} cores)`,
      `    floor: dedup + state + outbox only     ${fmt(floorOne.eventsPerSecond).padStart(9)} events/s on one writer, ${fmt(floorTwo.eventsPerSecond)} on two (postgres ${floorTwo.cores.postgres} cores)`,
      `  end to end (Kafka → committed → published) ${fmt(e2eRate).padStart(7)} events/s = ${(e2eRate / slowerCeiling).toFixed(2)} × the slower ceiling   (goals ≥ 20,000 and ≥ 0.50)`,
      `    all applied ${fmt(appliedRate)} events/s; outbox drained ${fmt(drainedAt - (appliedAt as number))} ms after the last batch; ${fmt(published)} of ${fmt(recorded)} outputs on sla.events.v1`,
      `    service batches: ${fmt(serviceBatches)}, mean ${serviceBatches > 0 ? Math.round(records.length / serviceBatches) : '-'} records, mean ${serviceBatches > 0 ? ((serviceBatchSeconds / serviceBatches) * 1000).toFixed(1) : '-'} ms`,
      `    cores: sla ${e2eCores.sla}, postgres ${e2eCores.postgres}, kafka ${e2eCores.kafka}, bench ${e2eCores.bench}, other ${e2eCores.other} (machine ${e2eCores.machine} of ${os.cpus().length})`,
      `  sla peak RSS (end to end)                ${String(peakRss).padStart(9)} MiB        (goal < 512)`,
    );
    if (applied !== uniqueEvents) lines.push(`  !! applied ${applied} events, expected ${uniqueEvents}`);
    if (published < recorded) lines.push(`  !! ${recorded - published} recorded outputs are not on sla.events.v1`);

    if (!values['skip-timers']) {
      // 5. Timers.
      log('removing the end-to-end rows');
      await clearTenants(db, [liveTenant.id]);
      const compiled = compileEngineConfig(STREAM_CONFIG);
      if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
      const engine = new SlaEngine(timerTenant.id, compiled.config);
      const target = 24 * HOUR; // first_response of the `default` policy
      const writeStart = performance.now();
      const now = Date.now();
      await writeOpenConversations(db, engine, 'open-', OPEN, Math.max(1, Math.floor(OPEN / 4)), (i) => now - ((i * 7919) % (12 * 60)) * 60_000);
      log(`wrote ${fmt(OPEN)} open conversations in ${((performance.now() - writeStart) / 1000).toFixed(1)} s`);
      await db.query('VACUUM (ANALYZE) sla.entities');
      const timers = await startSla();
      const timerPid = timers.process.pid as number;
      const timerRss = new RssSampler(timerPid);
      const tap = await openTap(quiet, timerTenant.id);
      const before = histogram(await scrape(timers.url), 'sla_detection_lag_seconds');
      await sleep(2000);
      const dueStart = Date.now() + 5000;
      const spacing = (DUE_SECONDS * 1000) / DUE;
      const dueWrite = performance.now();
      const { firstDue } = await writeOpenConversations(db, engine, 'due-', DUE, Math.max(1, Math.floor(DUE / 4)), (i) => Math.round(dueStart + i * spacing) - target);
      if (firstDue !== dueStart) throw new Error(`the due conversations are due at ${firstDue}, not ${dueStart}: has STREAM_CONFIG's default policy changed?`);
      log(`wrote ${fmt(DUE)} conversations due over ${DUE_SECONDS} s in ${((performance.now() - dueWrite) / 1000).toFixed(1)} s`);
      const timerMeter = new CpuMeter(timerPid);
      const dueEnd = dueStart + DUE_SECONDS * 1000;
      const breaches = () => tap.outputs.filter((output) => output.type === 'sla.breached' && output.at >= dueStart && output.at <= dueEnd);
      while (Date.now() < dueEnd + 30_000 && breaches().length < DUE) await sleep(200);
      const timerCores = timerMeter.cores();
      const after = histogram(await scrape(timers.url), 'sla_detection_lag_seconds');
      const timerPeakRss = timerRss.stop();
      const fired = breaches();
      const publishedLateness = fired.map((output) => output.publishedAt - output.at).sort((a, b) => a - b);
      const receivedLateness = fired.map((output) => output.receivedAt - output.at).sort((a, b) => a - b);
      const serviceP50 = histogramQuantile(before, after, 0.5);
      const serviceP99 = histogramQuantile(before, after, 0.99);
      const claimPlan = await explain(db, TIMER_CLAIM_SQL, [new Date().toISOString(), 500]);
      const claimPlanFar = await explain(db, TIMER_CLAIM_SQL, [new Date(Date.now() + 48 * HOUR).toISOString(), 500]);
      const nextPlan = await explain(db, TIMER_NEXT_SQL, []);
      await tap.close();
      await stopSla();
      const ms = (value: number) => `${Math.round(value)} ms`;
      report['timers'] = {
        openConversations: OPEN,
        due: DUE,
        dueSeconds: DUE_SECONDS,
        breachesSeen: fired.length,
        publishedMinusDueMs: { p50: quantile(publishedLateness, 0.5), p99: quantile(publishedLateness, 0.99), max: publishedLateness[publishedLateness.length - 1] },
        receivedMinusDueMs: { p50: quantile(receivedLateness, 0.5), p99: quantile(receivedLateness, 0.99), max: receivedLateness[receivedLateness.length - 1] },
        serviceDetectionLagMs: { p50: Math.round(serviceP50.value * 1000), p99: Math.round(serviceP99.value * 1000), observations: serviceP50.count },
        cores: timerCores,
        slaPeakRssMiB: timerPeakRss,
        claimPlan,
        claimPlanFar,
        nextDuePlan: nextPlan,
      };
      lines.push(
        `timers: ${fmt(OPEN)} open conversations (clocks due 12–24 h ahead) + ${fmt(DUE)} breaches due over ${DUE_SECONDS} s; ${fmt(fired.length)} seen`,
        `  published − due (record timestamp)     p50 ${ms(quantile(publishedLateness, 0.5))}, p99 ${ms(quantile(publishedLateness, 0.99))}, max ${ms(publishedLateness[publishedLateness.length - 1] ?? Number.NaN)}   (goals p50 < 100 ms, p99 < 1 s)`,
        `  received here − due                    p50 ${ms(quantile(receivedLateness, 0.5))}, p99 ${ms(quantile(receivedLateness, 0.99))}, max ${ms(receivedLateness[receivedLateness.length - 1] ?? Number.NaN)}`,
        `  service detection-lag histogram        p50 ≈ ${ms(serviceP50.value * 1000)}, p99 ≈ ${ms(serviceP99.value * 1000)} (interpolated in its buckets, ${fmt(serviceP50.count)} timers)`,
        `  cores: sla ${timerCores.sla}, postgres ${timerCores.postgres}, kafka ${timerCores.kafka}, bench ${timerCores.bench}, other ${timerCores.other}; sla peak RSS ${timerPeakRss} MiB`,
        `  claim query, nothing due:`,
        ...claimPlan.map((line) => `    ${line}`),
        `  claim query, everything due within 48 h (≈ ${fmt(OPEN)} rows qualify):`,
        ...claimPlanFar.map((line) => `    ${line}`),
        `  next-due query (every idle round):`,
        ...nextPlan.map((line) => `    ${line}`),
      );
    }
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n\n${lines.join('\n')}\n`);
  } finally {
    await stopSla().catch(() => undefined);
    if (ourTenants.length > 0 && (await db.query(`SELECT to_regclass('sla.entities') IS NOT NULL AS present`)).rows[0].present) {
      log('removing this run\'s rows');
      await db.query(`DELETE FROM sla.tenant_configs WHERE tenant_id = ANY($1::uuid[])`, [ourTenants]).catch(() => undefined);
      await clearTenants(db, ourTenants).catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
    }
    await admin.disconnect();
    if (identityDataSource.isInitialized) await identityDataSource.destroy();
    await db.end();
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stopSla().finally(() => process.exit(130));
  });
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench:sla failed: ${(error as Error).stack ?? String(error)}\n`);
  if (lastLogs.length > 0) process.stderr.write(`sla's last log lines:\n${lastLogs.join('').slice(-12000)}\n`);
  await stopSla().catch(() => undefined);
  process.exit(1);
});
