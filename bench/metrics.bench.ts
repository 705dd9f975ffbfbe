/*
 * What ops dashboards read, at the size of a large contact centre: GET /v1/metrics and
 * GET /v1/metrics/outliers over one tenant with 10,000,000 finished clocks, against the real
 * PostgreSQL and the sla service started as its own process.
 *   npm run bench:metrics [-- --clocks N --days N --teams N --agents N --rounds N --concurrency N --port N --seed N --keep --reuse --to INSTANT]
 *
 * 1. Writes the tenant's history without the engine (10 M events through the live path would
 *    take most of an hour here): generated finished clocks (five metrics with their targets,
 *    counted time log-normal around half the target, 5 % cancelled), one commitment verdict per
 *    ten clocks and a detractor per hundred, over `--days` days, day by day. Each day's facts go
 *    through the service's own aggregation (`MetricDeltas`) and its own upserts
 *    (`writeMetricDeltas`, `writeFinishedClocks`), so the rows are exactly those the live
 *    service would have written for the same outcomes.
 * 2. Starts sla, waits until it has folded the bins into packed sketches (metric-sketches.ts;
 *    the rate is printed), and sends a dashboard's mix of questions (`QUERIES` below: the last day, week,
 *    month and the whole period, by each dimension, hourly and daily, JSON and CSV, and the
 *    outliers), `--rounds` rounds of the mix in a shuffled order, `--concurrency` at a time.
 *    The first round warms the service up and is not counted.
 * Prints the latency per question and over all (p50/p95/p99), the rows and sizes of the tables,
 * and the service's peak RSS. Figures, not a test: it never fails on a goal.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import { Client } from 'pg';

import { createIdentityDataSource, IdentityService } from '@pw/identity';
import { initialiseAndMigrate } from '@pw/persistence';
import type { SlaMetric } from '@pw/contracts';
import type { ClockOutcome, CommitmentOutcome } from '@pw/sla-engine';
import { type RunningService, startService } from '@pw/test-support';

// The service's own aggregation and upserts, so that the rows are the live service's.
import { type FactContext, MetricDeltas } from '../apps/sla/src/metrics/metric-deltas';
import { type FinishedClockRecord, writeFinishedClocks, writeMetricDeltas } from '../apps/sla/src/processing/sla-effects';

const { values } = parseArgs({
  options: {
    clocks: { type: 'string', default: '10000000' },
    days: { type: 'string', default: '180' },
    teams: { type: 'string', default: '20' },
    agents: { type: 'string', default: '300' },
    rounds: { type: 'string', default: '21' },
    concurrency: { type: 'string', default: '4' },
    port: { type: 'string', default: '13303' },
    seed: { type: 'string', default: '20261207' },
    // Leaves the tenant, its rows and a read key behind (printed), to look into a figure by hand.
    keep: { type: 'boolean', default: false },
    // Asks the questions of the tenant an earlier `--keep` run left behind (its history and
    // fold are not measured again): to measure a change to the questions in minutes.
    reuse: { type: 'boolean', default: false },
    // With --reuse: the end of the kept period, as the --keep run printed it (else the hour after its last clock).
    to: { type: 'string' },
  },
});
const CLOCKS = Number(values.clocks);
const DAYS = Number(values.days);
const TEAMS = Number(values.teams);
const AGENTS = Number(values.agents);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const PORT = Number(values.port);
const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/promise_watch_bench';
const run = randomUUID().slice(0, 8);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Finished clocks per statement of `writeFinishedClocks` (18 arrays of this length). */
const CLOCK_CHUNK = 20_000;

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const log = (line: string) => process.stderr.write(`[bench:metrics ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** mulberry32: a small seeded generator, so that every run writes the same history. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

// ---------------------------------------------------------------------------------------------
// 1. The history

const METRICS: Array<{ metric: SlaMetric; targetMs: number; share: number }> = [
  { metric: 'first_response', targetMs: 4 * HOUR, share: 0.3 },
  { metric: 'next_response', targetMs: 8 * HOUR, share: 0.3 },
  { metric: 'resolution', targetMs: 3 * DAY, share: 0.25 },
  { metric: 'acknowledgement', targetMs: 15 * 60_000, share: 0.1 },
  { metric: 'periodic_update', targetMs: DAY, share: 0.05 },
];
const CHANNELS = [
  ['email', 0.45],
  ['chat', 0.25],
  ['phone', 0.2],
  ['social', 0.05],
  ['web', 0.05],
] as const;
const PRIORITIES = [
  ['normal', 0.7],
  ['high', 0.15],
  ['low', 0.1],
  ['urgent', 0.05],
] as const;
const POLICIES = ['standard', 'gold', 'platinum', 'public-sector', 'webshop', 'b2b'];

function pick<T>(next: () => number, weighted: ReadonlyArray<readonly [T, number]>): T {
  let r = next();
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r < 0) return value;
  }
  return weighted[weighted.length - 1][0];
}

/** A standard normal deviate (Box–Muller). */
function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

interface DayOfFacts {
  deltas: MetricDeltas;
  finished: FinishedClockRecord[];
}

/** One day's finished clocks, commitment verdicts and detractors; busier on weekdays and in office hours. */
function generateDay(tenantId: string, dayStart: number, clocks: number, next: () => number, serial: { n: number }): DayOfFacts {
  const deltas = new MetricDeltas();
  const finished: FinishedClockRecord[] = [];
  const context = (): FactContext & { customerId: string; conversationId: string } => {
    const agent = Math.floor(Math.pow(next(), 1.3) * AGENTS); // some agents take more than others
    return {
      team: `team-${agent % TEAMS}`,
      agent: `agent-${agent}`,
      channel: pick(next, CHANNELS),
      priority: pick(next, PRIORITIES),
      policy: POLICIES[Math.floor(Math.pow(next(), 2) * POLICIES.length)],
      customerId: `customer-${Math.floor(next() * 400_000)}`,
      conversationId: `conversation-${run}-${(serial.n++).toString(36)}`,
    };
  };
  // Office hours 08:00–18:00 carry 80 % of the day.
  const instant = () => dayStart + (next() < 0.8 ? 8 * HOUR + next() * 10 * HOUR : next() * DAY);
  for (let i = 0; i < clocks; i++) {
    let r = next();
    let spec = METRICS[0];
    for (const candidate of METRICS) {
      spec = candidate;
      r -= candidate.share;
      if (r < 0) break;
    }
    const { customerId, conversationId, ...fact } = context();
    const at = instant();
    const countedMs = Math.round(spec.targetMs * 0.5 * Math.exp(0.8 * gaussian(next)));
    const met = next() >= 0.05;
    const onTime = countedMs <= spec.targetMs;
    const outcome: ClockOutcome = {
      kind: 'clock',
      conversationId,
      customerId,
      metric: spec.metric,
      cycle: 1,
      policy: fact.policy as string,
      startedAt: at - countedMs,
      at,
      verdict: met ? 'met' : 'cancelled',
      onTime: met ? onTime : null,
      breached: !onTime,
      countedMs,
      targetMs: spec.targetMs,
      dueAt: at - countedMs + spec.targetMs,
    };
    deltas.add({ tenantId, outcome, context: fact });
    finished.push({ tenantId, outcome, context: fact });
    if (i % 10 === 0) {
      const r2 = next();
      const verdict: CommitmentOutcome['verdict'] = r2 < 0.8 ? 'kept_on_time' : r2 < 0.9 ? 'kept_late' : 'broken';
      const commitment: CommitmentOutcome = { kind: 'commitment', conversationId, customerId, promiseId: `p-${i}`, by: next() < 0.8 ? 'provider' : 'customer', dueAt: at, at, verdict };
      deltas.add({ tenantId, outcome: commitment, context: fact });
    }
    if (i % 100 === 0) deltas.add({ tenantId, detractorAt: at, context: fact });
  }
  return { deltas, finished };
}

async function writeHistory(db: Client, tenantId: string, periodStart: number): Promise<{ seconds: number }> {
  const next = random(Number(values.seed));
  const serial = { n: 0 };
  const started = performance.now();
  // Weekdays carry five times a weekend day.
  const weights = Array.from({ length: DAYS }, (_, d) => ([0, 6].includes(new Date(periodStart + d * DAY).getUTCDay()) ? 1 : 5));
  const total = weights.reduce((a, b) => a + b, 0);
  let written = 0;
  for (let d = 0; d < DAYS; d++) {
    const clocks = d === DAYS - 1 ? CLOCKS - written : Math.round((CLOCKS * weights[d]) / total);
    const { deltas, finished } = generateDay(tenantId, periodStart + d * DAY, clocks, next, serial);
    await db.query('BEGIN');
    await writeMetricDeltas(db, deltas);
    for (let i = 0; i < finished.length; i += CLOCK_CHUNK) await writeFinishedClocks(db, finished.slice(i, i + CLOCK_CHUNK));
    await db.query('COMMIT');
    written += clocks;
    if (d % 30 === 29 || d === DAYS - 1) log(`written ${d + 1} of ${DAYS} days, ${fmt(written)} finished clocks (${fmt(written / ((performance.now() - started) / 1000))}/s)`);
  }
  return { seconds: (performance.now() - started) / 1000 };
}

// ---------------------------------------------------------------------------------------------
// 2. The questions

interface Question {
  name: string;
  path: (to: number) => string;
  accept?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const span = (to: number, days: number, rest: string) => `/v1/metrics?from=${iso(to - days * DAY)}&to=${iso(to)}&${rest}`;

/** A dashboard's mix: the day, the week, the month and the whole period, by each dimension. */
const QUERIES: Question[] = [
  { name: '30 days by day, all', path: (to) => span(to, 30, 'interval=day') },
  { name: '30 days by day, by team', path: (to) => span(to, 30, 'interval=day&groupBy=team') },
  { name: '30 days by day, by agent', path: (to) => span(to, 30, 'interval=day&groupBy=agent') },
  { name: '30 days by day, by team, CSV', path: (to) => span(to, 30, 'interval=day&groupBy=team'), accept: 'text/csv' },
  { name: 'whole period by day, by channel', path: (to) => span(to, DAYS, 'interval=day&groupBy=channel') },
  { name: 'whole period by day, by policy', path: (to) => span(to, DAYS, 'interval=day&groupBy=policy') },
  { name: '7 days by hour, by team', path: (to) => span(to, 7, 'interval=hour&groupBy=team') },
  { name: '31 days by hour, by metric', path: (to) => span(to, 31, 'interval=hour&groupBy=metric') },
  { name: '1 day by hour, by agent', path: (to) => span(to, 1, 'interval=hour&groupBy=agent') },
  { name: '1 day by hour, by priority', path: (to) => span(to, 1, 'interval=hour&groupBy=priority') },
  { name: 'outliers, first_response', path: () => '/v1/metrics/outliers?metric=first_response&limit=20' },
  { name: 'outliers, resolution, last 7 days', path: (to) => `/v1/metrics/outliers?metric=resolution&limit=20&from=${iso(to - 7 * DAY)}&to=${iso(to)}` },
];

async function ask(url: string, key: string, question: Question, to: number): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(`${url}${question.path(to)}`, { headers: { authorization: `Bearer ${key}`, accept: question.accept ?? 'application/json' } });
  const body = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`${question.name}: ${response.status} ${body.slice(0, 300)}`);
  // An empty answer would measure nothing: every question must find the history.
  if (question.accept === 'text/csv' ? body.split('\r\n').length < 3 : !/"(groups|items)":\[\{/.test(body)) throw new Error(`${question.name}: an empty answer: ${body.slice(0, 300)}`);
  return { ms, bytes: body.length };
}

/** `ROUNDS` rounds of every question, shuffled, `CONCURRENCY` in flight; the first round is not counted. */
async function askAll(url: string, key: string, to: number): Promise<Map<string, { ms: number[]; bytes: number }>> {
  const next = random(Number(values.seed) + 1);
  const work: Array<{ question: Question; counted: boolean }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const shuffled = QUERIES.map((question) => ({ question, counted: round > 0, order: next() })).sort((a, b) => a.order - b.order);
    work.push(...shuffled);
  }
  const results = new Map(QUERIES.map((question) => [question.name, { ms: [] as number[], bytes: 0 }]));
  let position = 0;
  const worker = async () => {
    while (position < work.length) {
      const { question, counted } = work[position++];
      const { ms, bytes } = await ask(url, key, question, to);
      const entry = results.get(question.name) as { ms: number[]; bytes: number };
      entry.bytes = bytes;
      if (counted) entry.ms.push(ms);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

// ---------------------------------------------------------------------------------------------

const TABLES = ['finished_clocks', 'metric_counters', 'metric_sketch_bins', 'metric_sketches'];

/** Empties the tables of the given tenants: TRUNCATE when no other tenant has rows in them. */
async function clearTenants(db: Client, tenantIds: string[]): Promise<void> {
  if (tenantIds.length === 0) return;
  for (const table of TABLES) {
    const { rows } = await db.query(`SELECT EXISTS (SELECT 1 FROM sla.${table} WHERE tenant_id <> ALL($1::uuid[])) AS others`, [tenantIds]);
    if (rows[0].others) {
      await db.query(`DELETE FROM sla.${table} WHERE tenant_id = ANY($1::uuid[])`, [tenantIds]);
      await db.query(`VACUUM (ANALYZE) sla.${table}`);
    } else {
      await db.query(`TRUNCATE sla.${table}`);
    }
  }
}

/**
 * Waits until the service has folded every bin and counter row of the tenant. Whether any is
 * left is asked by the primary key: counting 37 M rows every time would take the cores from
 * the fold it measures. `left` is counted and logged once a minute.
 */
async function foldDone(db: Client, tenantId: string, left: () => Promise<number>): Promise<void> {
  const anyRowLeft = async () =>
    (
      await db.query(
        `SELECT EXISTS (SELECT 1 FROM sla.metric_sketch_bins WHERE tenant_id = $1) OR EXISTS (SELECT 1 FROM sla.metric_counters WHERE tenant_id = $1) AS left`,
        [tenantId],
      )
    ).rows[0].left as boolean;
  for (let seen = performance.now(); await anyRowLeft(); ) {
    if (performance.now() - seen > 60_000) {
      seen = performance.now();
      log(`  ${fmt(await left())} rows left to fold`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function main(): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const identityDataSource = createIdentityDataSource(databaseUrl);
  const ourTenants: string[] = [];
  let sla: RunningService | undefined;
  let readKey: string | undefined;
  // The period ends at the last full hour, so that "the last day" is full.
  const periodEnd = Math.floor(Date.now() / HOUR) * HOUR;
  try {
    const pgVersion = (await db.query('SHOW server_version')).rows[0].server_version as string;
    const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL ${pgVersion}`;
    log(machine);
    await initialiseAndMigrate(identityDataSource);
    const identity = new IdentityService(identityDataSource);
    let to = periodEnd;
    let written = 0;
    let historySeconds = Number.NaN;
    let foldSeconds = Number.NaN;
    const kept = values.reuse
      ? (await db.query(`SELECT id, name FROM identity.tenants WHERE name LIKE 'bench-metrics-%' ORDER BY created_at DESC LIMIT 1`)).rows[0]
      : undefined;
    if (values.reuse && !kept) throw new Error('--reuse: no tenant of an earlier --keep run is left; run once with --keep');
    if (kept) {
      ourTenants.push(kept.id as string);
      readKey = (await identity.createKey(kept.name as string, ['read'])).key;
      // The kept history ends at the hour after its last finished clock.
      const { rows } = await db.query(`SELECT max(finished_at) AS last FROM sla.finished_clocks WHERE tenant_id = $1`, [kept.id]);
      to = values.to ? Date.parse(values.to) : Math.ceil(new Date(rows[0].last as Date).getTime() / HOUR) * HOUR;
      if (Number.isNaN(to)) throw new Error(`--to: ${values.to} is not an instant`);
      log(`reusing tenant ${kept.name as string}: its history ends at ${new Date(to).toISOString()}`);
      sla = await startService('sla', PORT, { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' }, 120_000);
      // A history kept by an earlier version may hold rows it did not fold (counters, before
      // migration 1765500000008): the questions are asked of what a running service has folded.
      await foldDone(db, kept.id as string, async () => Number((await db.query(`SELECT count(*)::bigint AS n FROM sla.metric_counters WHERE tenant_id = $1`, [kept.id])).rows[0].n));
    } else {
      const name = `bench-metrics-${run}`;
      const tenant = await identity.createTenant(name, 10_000_000);
      ourTenants.push(tenant.id);
      readKey = (await identity.createKey(name, ['read'])).key;

      // The service once before writing: its migrations create the tables.
      sla = await startService('sla', PORT, { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' }, 120_000);
      await sla.stop();
      sla = undefined;
      const { rows: stale } = await db.query(`SELECT id FROM identity.tenants WHERE name LIKE 'bench-metrics-%' AND NOT (id = ANY($1::uuid[]))`, [ourTenants]);
      if (stale.length > 0) {
        log(`removing the rows of ${stale.length} earlier bench tenants`);
        await clearTenants(db, stale.map((row) => row.id as string));
      }

      const periodStart = Math.floor(to / DAY) * DAY - (DAYS - 1) * DAY;
      log(`writing ${fmt(CLOCKS)} finished clocks over ${DAYS} days (${TEAMS} teams, ${AGENTS} agents)`);
      historySeconds = (await writeHistory(db, tenant.id, periodStart)).seconds;
      const binRows = async () => Number((await db.query(`SELECT count(*)::bigint AS n FROM sla.metric_sketch_bins WHERE tenant_id = $1`, [tenant.id])).rows[0].n);
      written = await binRows();
      log(`written in ${historySeconds.toFixed(0)} s; ${fmt(written)} sketch-bin rows; starting sla, which folds them into packed sketches`);

      // The service folds the bins and counters in the background; the questions are asked once it is done.
      sla = await startService('sla', PORT, { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' }, 120_000);
      const foldStarted = performance.now();
      await foldDone(db, tenant.id, binRows);
      foldSeconds = (performance.now() - foldStarted) / 1000;
      log(`folded ${fmt(written)} bin rows and the counters in ${foldSeconds.toFixed(1)} s (${fmt(written / foldSeconds)} bin rows/s)`);
      await db.query(`VACUUM (ANALYZE) ${TABLES.map((table) => `sla.${table}`).join(', ')}`);
    }
    const tables: Record<string, { rows: number; mib: number }> = {};
    for (const table of TABLES) {
      const { rows } = await db.query(
        `SELECT (SELECT count(*) FROM sla.${table} WHERE tenant_id = $1)::bigint AS rows, pg_total_relation_size('sla.${table}') AS bytes`,
        [ourTenants[0]],
      );
      tables[table] = { rows: Number(rows[0].rows), mib: Math.round(Number(rows[0].bytes) / 2 ** 20) };
    }
    log(Object.entries(tables).map(([table, t]) => `${table} ${fmt(t.rows)} rows (${fmt(t.mib)} MiB)`).join(', '));

    log(`asking ${QUERIES.length} questions × ${ROUNDS} rounds (the first not counted), ${CONCURRENCY} at a time`);
    const results = await askAll(sla.url, readKey, to);
    const rss = peakRssMiB(sla.process.pid as number);

    const all = [...results.values()].flatMap((entry) => entry.ms).sort((a, b) => a - b);
    const perQuestion = [...results.entries()].map(([question, entry]) => {
      const sorted = [...entry.ms].sort((a, b) => a - b);
      return { question, requests: sorted.length, answerKiB: Math.round(entry.bytes / 1024), p50: +quantile(sorted, 0.5).toFixed(1), p95: +quantile(sorted, 0.95).toFixed(1), p99: +quantile(sorted, 0.99).toFixed(1) };
    });
    const overall = { requests: all.length, p50: +quantile(all, 0.5).toFixed(1), p95: +quantile(all, 0.95).toFixed(1), p99: +quantile(all, 0.99).toFixed(1), max: +all[all.length - 1].toFixed(1) };
    const report = { machine, clocks: CLOCKS, days: DAYS, teams: TEAMS, agents: AGENTS, concurrency: CONCURRENCY, writeSeconds: +historySeconds.toFixed(1), binRowsWritten: written, foldSeconds: +foldSeconds.toFixed(1), foldedBinRowsPerSecond: Math.round(written / foldSeconds), tables, perQuestion, overall, slaPeakRssMiB: rss };
    const lines = [
      `metrics benchmark (${machine})`,
      `history: ${fmt(CLOCKS)} finished clocks over ${DAYS} days, ${TEAMS} teams, ${AGENTS} agents; ${Object.entries(tables).map(([table, t]) => `${table} ${fmt(t.rows)} rows`).join(', ')}`,
      kept ? 'folding: not measured (--reuse)' : `folding: ${fmt(written)} sketch-bin rows into packed sketches by the service in ${foldSeconds.toFixed(1)} s (${fmt(written / foldSeconds)} rows/s)`,
      `latency per question (ms, ${ROUNDS - 1} rounds, ${CONCURRENCY} at a time):`,
      ...perQuestion.map((q) => `  ${q.question.padEnd(36)} p50 ${String(q.p50).padStart(6)}  p95 ${String(q.p95).padStart(6)}  p99 ${String(q.p99).padStart(6)}   (${q.answerKiB} KiB)`),
      `all questions: p50 ${overall.p50} ms, p95 ${overall.p95} ms, p99 ${overall.p99} ms, max ${overall.max} ms over ${fmt(overall.requests)} requests   (goal p95 < 100 ms)`,
      `sla peak RSS ${rss} MiB`,
    ];
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n\n${lines.join('\n')}\n`);
  } finally {
    await sla?.stop().catch(() => undefined);
    if ((values.keep || values.reuse) && readKey) {
      log(`kept: tenant ${ourTenants[0]}, read key ${readKey}, the period ends at ${new Date(periodEnd).toISOString()}`);
    } else if (ourTenants.length > 0) {
      log("removing this run's rows");
      await clearTenants(db, ourTenants).catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
    }
    if (identityDataSource.isInitialized) await identityDataSource.destroy();
    await db.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:metrics failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
