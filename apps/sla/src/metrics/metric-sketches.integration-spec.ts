import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

import { createServiceDataSource, initialiseAndMigrate } from '@pw/persistence';
import type { ClockOutcome } from '@pw/sla-engine';

import { slaDataSourceOptions } from '../data-source';
import { lockTenantExclusive } from '../processing/apply-interactions';
import { writeMetricDeltas } from '../processing/sla-effects';
import type { MetricGroup } from '../queries/metric-answer';
import { MetricQueriesService } from '../queries/metric-queries.service';
import { type FactContext, MetricDeltas } from './metric-deltas';
import { SlaMetricSketchesCompact1765400000007 } from '../migrations/1765400000007-sla-metric-sketches-compact';
import { SlaMetricCellsCounters1765500000008 } from '../migrations/1765500000008-sla-metric-cells-counters';
import { SlaMetricDeltasAppended1765600000009 } from '../migrations/1765600000009-sla-metric-deltas-appended';
import { foldMetricCells } from './metric-sketches';
import { addPackedSketch, type SketchBins } from './packed-sketch';

type MetricsAnswer = { groups: MetricGroup[] };

// The fold against the real PostgreSQL: the counters and bins batches write move into packed cells
// without a count lost or doubled, whatever runs beside it.
describe('folding sketch bins into packed sketches', () => {
  const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/promise_watch_test';
  let dataSource: DataSource;
  /** Answers on the event loop, and on three threads with each grouped answer split in three. */
  let queries: MetricQueriesService;
  let threaded: MetricQueriesService;
  const HOUR = 3_600_000;
  const start = Date.UTC(2026, 2, 2, 8);

  beforeAll(async () => {
    dataSource = createServiceDataSource(slaDataSourceOptions(databaseUrl));
    await initialiseAndMigrate(dataSource);
    queries = new MetricQueriesService(dataSource, { databaseUrl, threads: 0 });
    threaded = new MetricQueriesService(dataSource, { databaseUrl, threads: 3 });
    // Bins other tests left in this database first: each fold below then finds ours.
    for (;;) {
      const { bins, counters } = await dataSource.transaction((manager) => foldMetricCells(manager, 100_000));
      if (bins + counters === 0) break;
    }
  });

  afterAll(async () => {
    await threaded?.onApplicationShutdown();
    await dataSource?.destroy();
  });

  /**
   * `count` met clocks of a tenant, finished over the first five hours from `start`, counted
   * 1 min … 2 days; and a detractor per seven clocks in the sixth hour, whose cells have
   * counters and no counted time.
   */
  function deltasFor(tenantId: string, count: number, seed: number): MetricDeltas {
    const deltas = new MetricDeltas();
    for (let i = 0; i < count; i++) {
      const n = seed * 7919 + i;
      const countedMs = 60_000 + ((n * 2_654_435_761) % (2 * 86_400_000));
      const at = start + (n % 5) * HOUR + (n % 977) * 1000;
      const outcome: ClockOutcome = {
        kind: 'clock',
        conversationId: `c-${seed}-${i}`,
        customerId: 'cust',
        metric: i % 2 === 0 ? 'first_response' : 'resolution',
        cycle: 1,
        policy: 'standard',
        startedAt: at - countedMs,
        at,
        verdict: 'met',
        onTime: countedMs < 4 * HOUR,
        breached: countedMs >= 4 * HOUR,
        countedMs,
        targetMs: 4 * HOUR,
        dueAt: at - countedMs + 4 * HOUR,
      };
      const context: FactContext = { team: `team-${i % 3}`, channel: 'email', priority: 'normal', policy: 'standard', agent: `agent-${i % 11}` };
      deltas.add({ tenantId, outcome, context });
      if (i % 7 === 0) deltas.add({ tenantId, detractorAt: start + 5 * HOUR + (n % 977) * 1000, context });
    }
    return deltas;
  }

  const write = (deltas: MetricDeltas) => dataSource.transaction((manager) => writeMetricDeltas(manager, deltas));
  const fold = (limit: number) => dataSource.transaction((manager) => foldMetricCells(manager, limit));
  const rowsOf = async (table: string, tenantId: string) =>
    Number((await dataSource.query(`SELECT count(*)::int AS n FROM sla.${table} WHERE tenant_id = $1`, [tenantId]))[0].n);
  const questions = (['team', 'agent', 'metric', null] as const).flatMap((groupBy) =>
    (['hour', 'day'] as const).map((interval) => ({ from: start, to: start + 6 * HOUR, groupBy, interval })),
  );
  /** Every question the dashboards ask of counted time, for the tenant. */
  const answers = async (tenantId: string) =>
    Promise.all(questions.map(async (question) => JSON.parse(await queries.metrics(tenantId, question, 'json')) as MetricsAnswer));

  /** Rows left to fold: bins and counters. */
  const unfoldedRows = async (tenantId: string) => (await rowsOf('metric_sketch_bins', tenantId)) + (await rowsOf('metric_counters', tenantId));

  it('moves every bin and counter into packed cells and answers exactly as before, fold after fold', async () => {
    const tenantId = randomUUID();
    await write(deltasFor(tenantId, 400, 1));
    await write(deltasFor(tenantId, 300, 2));
    const unfolded = await answers(tenantId);
    const bins = await rowsOf('metric_sketch_bins', tenantId);
    expect(bins).toBeGreaterThan(1000);
    const counters = await rowsOf('metric_counters', tenantId);
    expect(counters).toBeGreaterThan(100);
    // Each batch appends its own row for a cell: two batches, more rows than cells.
    const [{ cells }] = await dataSource.query(
      `SELECT count(DISTINCT (grain, dimension, bucket, value))::int AS cells FROM sla.metric_counters WHERE tenant_id = $1`,
      [tenantId],
    );
    expect(cells).toBeLessThan(counters);
    expect(unfolded[0].groups.length).toBe(3);
    expect(unfolded[0].groups[0].total.countedMs.p50).not.toBeNull();
    expect(unfolded[0].groups[0].total.detractors).toBeGreaterThan(0);
    // The detractors' hour: counters, no counted time.
    expect(unfolded[0].groups[0].buckets.at(-1)).toMatchObject({ clocksFinished: 0, countedMs: { p50: null } });

    // In small folds, with new rows written between them: each answer equals the unfolded one
    // computed from the same facts.
    const moved = await fold(700);
    expect(moved.bins).toBe(700);
    expect(moved.counters).toBe(Math.min(700, counters));
    expect(await rowsOf('metric_sketches', tenantId)).toBeGreaterThan(0);
    expect(await answers(tenantId)).toEqual(unfolded);
    for (let round = 0; round < 50 && (await unfoldedRows(tenantId)) > 0; round++) await fold(700);
    expect(await unfoldedRows(tenantId)).toBe(0);
    const packedCounters = await dataSource.query(`SELECT count(*)::int AS n FROM sla.metric_sketches WHERE tenant_id = $1 AND counters IS NOT NULL`, [tenantId]);
    expect(packedCounters[0].n).toBe(cells);
    expect(await answers(tenantId)).toEqual(unfolded);

    // More facts into cells already packed: the fold adds to the packed counts.
    const reference = randomUUID();
    for (const id of [tenantId, reference]) {
      if (id === reference) {
        await write(deltasFor(id, 400, 1));
        await write(deltasFor(id, 300, 2));
      }
      await write(deltasFor(id, 250, 3));
    }
    await fold(100_000);
    await fold(100_000);
    expect(await unfoldedRows(tenantId)).toBe(0);
    const strip = (all: Awaited<ReturnType<typeof answers>>) => JSON.stringify(all);
    expect(strip(await answers(tenantId))).toBe(strip(await answers(reference)));
  });

  it('answers the same split between threads as on the event loop, as JSON and as CSV', async () => {
    const tenantId = randomUUID();
    await write(deltasFor(tenantId, 600, 7));
    await fold(50);
    // Some cells packed, some still rows, some both: every question, each way.
    expect(await rowsOf('metric_sketches', tenantId)).toBeGreaterThan(0);
    expect(await rowsOf('metric_sketch_bins', tenantId)).toBeGreaterThan(0);
    expect(await rowsOf('metric_counters', tenantId)).toBeGreaterThan(0);
    for (const question of questions) {
      for (const format of ['json', 'csv'] as const) {
        const [inline, split] = await Promise.all([queries.metrics(tenantId, question, format), threaded.metrics(tenantId, question, format)]);
        expect(split).toBe(inline);
      }
    }
    const byAgent = JSON.parse(await threaded.metrics(tenantId, { from: start, to: start + 6 * HOUR, groupBy: 'agent', interval: 'hour' }, 'json')) as MetricsAnswer;
    expect(byAgent.groups.map((group) => group.group)).toEqual(Array.from({ length: 11 }, (_, i) => `agent-${i}`).sort());
    expect(byAgent.groups.reduce((sum, group) => sum + group.total.clocksFinished, 0)).toBe(600);
  });

  it('refuses a question when too many shares wait for a thread, and answers the next one', async () => {
    const tenantId = randomUUID();
    await write(deltasFor(tenantId, 50, 8));
    const busy = new MetricQueriesService(dataSource, { databaseUrl, threads: 1, queuedSharesLimit: 1 });
    try {
      const question = { from: start, to: start + 6 * HOUR, groupBy: 'agent' as const, interval: 'hour' as const };
      const outcomes = await Promise.allSettled([1, 2, 3].map(() => busy.metrics(tenantId, question, 'json')));
      const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(refused.length).toBeGreaterThan(0);
      for (const outcome of refused) expect((outcome as PromiseRejectedResult).reason).toMatchObject({ title: 'Service Unavailable', headers: { 'retry-after': '1' } });
      expect(outcomes.some((outcome) => outcome.status === 'fulfilled')).toBe(true);
      const answer = JSON.parse(await busy.metrics(tenantId, question, 'json')) as MetricsAnswer;
      expect(answer.groups.reduce((sum, group) => sum + group.total.clocksFinished, 0)).toBe(50);
    } finally {
      await busy.onApplicationShutdown();
    }
  });

  it('leaves a tenant under replay alone, and folds nothing while another fold runs', async () => {
    const replayed = randomUUID();
    await write(deltasFor(replayed, 50, 4));
    const before = await rowsOf('metric_sketch_bins', replayed);
    expect(before).toBeGreaterThan(0);
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await lockTenantExclusive(runner.manager, replayed);
      for (let round = 0; round < 5; round++) await fold(100_000);
      expect(await rowsOf('metric_sketch_bins', replayed)).toBe(before);
      await runner.rollbackTransaction();

      // A fold in progress (holding its lock) makes another one a no-op.
      await runner.startTransaction();
      await runner.query(`SELECT pg_advisory_xact_lock(hashtextextended('sla-sketch-fold', 0))`);
      expect(await fold(100_000)).toEqual({ bins: 0, counters: 0, cells: 0 });
      expect(await rowsOf('metric_sketch_bins', replayed)).toBe(before);
      await runner.rollbackTransaction();
    } finally {
      await runner.release();
    }
    for (let round = 0; round < 20 && (await unfoldedRows(replayed)) > 0; round++) await fold(100_000);
    expect(await unfoldedRows(replayed)).toBe(0);
  });

  it('leaves the bins and counters of a batch not committed yet, and folds them after its commit', async () => {
    const tenantId = randomUUID();
    const reference = randomUUID();
    await write(deltasFor(tenantId, 100, 5));
    await write(deltasFor(reference, 100, 5));
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      // A batch in flight: it has appended rows to cells the fold is about to pack.
      await runner.startTransaction();
      await writeMetricDeltas(runner.manager, deltasFor(tenantId, 40, 6));
      const folded = await fold(100_000);
      expect(folded.bins).toBeGreaterThan(0);
      expect(folded.counters).toBeGreaterThan(0);
      expect(await unfoldedRows(tenantId)).toBe(0);
      await runner.commitTransaction();
      // The batch's rows, committed after the fold, are there for the next one.
      expect(await rowsOf('metric_counters', tenantId)).toBeGreaterThan(0);
    } finally {
      await runner.release();
    }
    await write(deltasFor(reference, 40, 6));
    for (let round = 0; round < 20 && (await unfoldedRows(tenantId)) > 0; round++) await fold(100_000);
    expect(await unfoldedRows(tenantId)).toBe(0);
    expect(JSON.stringify(await answers(tenantId))).toBe(JSON.stringify(await answers(reference)));
  });

  it('puts folded counters back into counter rows when migration 1765500000008 is reverted, every count kept', async () => {
    const tenantId = randomUUID();
    await write(deltasFor(tenantId, 200, 9));
    for (let round = 0; round < 20 && (await unfoldedRows(tenantId)) > 0; round++) await fold(100_000);
    expect(await unfoldedRows(tenantId)).toBe(0);
    // A batch after the fold: on the way back its rows and the folded counters add up.
    await write(deltasFor(tenantId, 30, 10));
    const [byTeam] = await answers(tenantId);
    const total = (column: 'clocksFinished' | 'detractors') => byTeam.groups.reduce((sum, group) => sum + group.total[column], 0);
    expect(total('clocksFinished')).toBe(230);
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await new SlaMetricDeltasAppended1765600000009().down(runner);
      await new SlaMetricCellsCounters1765500000008().down(runner);
      const [sums] = await runner.query(
        `SELECT sum(clocks_finished)::int AS clocks, sum(detractors)::int AS detractors, count(*)::int AS n FROM sla.metric_counters
          WHERE tenant_id = $1 AND grain = 'hour' AND dimension = 'team'`,
        [tenantId],
      );
      expect(sums).toEqual({ clocks: 230, detractors: total('detractors'), n: byTeam.groups.reduce((sum, group) => sum + group.buckets.length, 0) });
      await new SlaMetricCellsCounters1765500000008().up(runner);
      await new SlaMetricDeltasAppended1765600000009().up(runner);
      expect((await runner.query(`SELECT count(*)::int AS n FROM sla.metric_sketches WHERE counters IS NOT NULL`))[0].n).toBe(0);
      await runner.rollbackTransaction();
    } finally {
      await runner.release();
    }
  });

  it('lets two batches add to the same cells without waiting for each other, and the fold sums what they appended', async () => {
    const tenantId = randomUUID();
    const reference = randomUUID();
    await write(deltasFor(reference, 60, 11));
    await write(deltasFor(reference, 60, 12));
    const first = dataSource.createQueryRunner();
    const second = dataSource.createQueryRunner();
    await first.connect();
    await second.connect();
    try {
      await first.startTransaction();
      await writeMetricDeltas(first.manager, deltasFor(tenantId, 60, 11));
      // The first batch has not committed: a row per cell would keep the second one waiting.
      await second.startTransaction();
      await second.query(`SET LOCAL lock_timeout = '2s'`);
      await writeMetricDeltas(second.manager, deltasFor(tenantId, 60, 12));
      await second.commitTransaction();
      await first.commitTransaction();
    } finally {
      await first.release();
      await second.release();
    }
    const [{ n: rows, cells }] = await dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT (grain, dimension, bucket, value))::int AS cells FROM sla.metric_counters WHERE tenant_id = $1`,
      [tenantId],
    );
    expect(rows).toBeGreaterThan(cells);
    expect(JSON.stringify(await answers(tenantId))).toBe(JSON.stringify(await answers(reference)));
    for (let round = 0; round < 20 && (await unfoldedRows(tenantId)) > 0; round++) await fold(100_000);
    expect(await unfoldedRows(tenantId)).toBe(0);
    expect(JSON.stringify(await answers(tenantId))).toBe(JSON.stringify(await answers(reference)));
  });

  it('sums the appended rows of each cell back into one when migration 1765600000009 is reverted, every count kept', async () => {
    const tenantId = randomUUID();
    await write(deltasFor(tenantId, 80, 13));
    await write(deltasFor(tenantId, 80, 14));
    const before = await answers(tenantId);
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      await new SlaMetricDeltasAppended1765600000009().down(runner);
      const [counters] = await runner.query(
        `SELECT count(*)::int AS n, count(DISTINCT (grain, dimension, bucket, value))::int AS cells, sum(clocks_finished)::int AS clocks
           FROM sla.metric_counters WHERE tenant_id = $1 AND grain = 'hour' AND dimension = 'team'`,
        [tenantId],
      );
      expect(counters.n).toBe(counters.cells);
      expect(counters.clocks).toBe(160);
      const [bins] = await runner.query(
        `SELECT count(*)::int AS n, count(DISTINCT (grain, dimension, bucket, value, bin))::int AS distinct_bins FROM sla.metric_sketch_bins WHERE tenant_id = $1`,
        [tenantId],
      );
      expect(bins.n).toBeGreaterThan(0);
      expect(bins.n).toBe(bins.distinct_bins);
      await new SlaMetricDeltasAppended1765600000009().up(runner);
      await runner.commitTransaction();
    } catch (error) {
      await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
    expect(JSON.stringify(await answers(tenantId))).toBe(JSON.stringify(before));
  });

  it('repacks sketches of the first format into the compact one and back, every count kept', async () => {
    const legacy = (bins: Array<[number, number]>) => {
      const packed = Buffer.alloc(bins.length * 12);
      bins.forEach(([key, count], i) => {
        packed.writeInt32LE(key, i * 12);
        packed.writeDoubleLE(count, i * 12 + 4);
      });
      return packed;
    };
    const cells: Array<{ value: string; bins: Array<[number, number]> }> = Array.from({ length: 12_000 }, (_, i) => ({
      value: `agent-${i}`,
      bins: [
        ...(i % 3 === 0 ? [[-2_147_483_648, i + 1] as [number, number]] : []),
        ...Array.from({ length: 1 + (i % 40) }, (_, j) => [-20 + j * (1 + (i % 3)), 1 + ((i * 31 + j) % 5000)] as [number, number]),
      ],
    }));
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      // In a transaction rolled back at the end: the migration repacks every row of the table.
      await runner.startTransaction();
      await runner.query(`DELETE FROM sla.metric_sketches`);
      const tenantId = randomUUID();
      await runner.query(
        `INSERT INTO sla.metric_sketches (tenant_id, grain, dimension, bucket, value, bins)
         SELECT $1, 'day', 'agent', $2, value, bins FROM unnest($3::text[], $4::bytea[]) AS c(value, bins)`,
        [tenantId, new Date(start).toISOString(), cells.map((cell) => cell.value), cells.map((cell) => legacy(cell.bins))],
      );
      const stored = async () => {
        const rows: Array<{ value: string; bins: Buffer }> = await runner.query(`SELECT value, bins FROM sla.metric_sketches WHERE tenant_id = $1 ORDER BY value`, [tenantId]);
        return new Map(rows.map((row) => [row.value, row.bins]));
      };
      const migration = new SlaMetricSketchesCompact1765400000007();
      await migration.up(runner);
      const compact = await stored();
      expect(compact.size).toBe(cells.length);
      let compactBytes = 0;
      let legacyBytes = 0;
      for (const cell of cells) {
        const packed = compact.get(cell.value) as Buffer;
        const expected: SketchBins = new Map(cell.bins);
        expect([...addPackedSketch(new Map(), packed).entries()].sort(([a], [b]) => a - b)).toEqual([...expected.entries()].sort(([a], [b]) => a - b));
        compactBytes += packed.length;
        legacyBytes += cell.bins.length * 12;
      }
      expect(compactBytes).toBeLessThan(legacyBytes / 3);
      await migration.down(runner);
      const back = await stored();
      for (const cell of cells) expect((back.get(cell.value) as Buffer).equals(legacy(cell.bins))).toBe(true);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
