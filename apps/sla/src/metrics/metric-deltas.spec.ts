import fc from 'fast-check';

import type { ClockOutcome, CommitmentOutcome } from '@pw/sla-engine';

import { assembleMetrics, metricFigures, metricsCsvLines, METRICS_CSV_HEADER, type MetricsQuery, QUANTILES, quantileMs } from '../queries/metric-answer';
import { MergedSketch } from './packed-sketch';
import { COUNTER_COLUMNS, type CounterColumn, type FactContext, METRIC_DIMENSIONS, MetricDeltas, NO_VALUE, sketchBin, ZERO_BIN } from './metric-deltas';

const TENANT = '00000000-0000-4000-8000-000000000001';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 11, 4, 10, 30);
const CONTEXT: FactContext = { team: 'nl', channel: 'email', priority: 'high', policy: null, agent: 'femke' };

function clock(overrides: Partial<ClockOutcome> = {}): ClockOutcome {
  return {
    kind: 'clock',
    conversationId: 'c1',
    customerId: 'k1',
    metric: 'first_response',
    cycle: 1,
    policy: 'email-nl',
    startedAt: T0 - HOUR,
    at: T0,
    verdict: 'met',
    onTime: true,
    breached: false,
    countedMs: 1_800_000,
    targetMs: 4 * HOUR,
    dueAt: T0 + 3 * HOUR,
    ...overrides,
  } as ClockOutcome;
}

function commitment(verdict: CommitmentOutcome['verdict'], by: CommitmentOutcome['by'] = 'provider'): CommitmentOutcome {
  return { kind: 'commitment', conversationId: 'c1', customerId: 'k1', promiseId: 'p1', by, dueAt: T0 + 2 * HOUR, at: T0 + 3 * HOUR, verdict };
}

/** The counter row of a dimension value at a grain, with every column (absent ones 0). */
function row(deltas: MetricDeltas, grain: 'hour' | 'day', dimension: string, value: string): Record<CounterColumn, number> | undefined {
  const entry = [...deltas.counters.values()].find((candidate) => candidate.key.grain === grain && candidate.key.dimension === dimension && candidate.key.value === value);
  if (!entry) return undefined;
  return Object.fromEntries(COUNTER_COLUMNS.map((column) => [column, entry.deltas[column] ?? 0])) as Record<CounterColumn, number>;
}

describe('MetricDeltas', () => {
  it('counts a clock met on time once under every dimension and grain, in the bucket it finished in', () => {
    const deltas = new MetricDeltas();
    deltas.add({ tenantId: TENANT, context: CONTEXT, outcome: clock() });
    expect(deltas.counters.size).toBe(METRIC_DIMENSIONS.length * 2);
    const values = { team: 'nl', agent: 'femke', channel: 'email', priority: 'high', policy: 'email-nl', metric: 'first_response' };
    for (const [dimension, value] of Object.entries(values)) {
      for (const grain of ['hour', 'day'] as const) {
        expect(row(deltas, grain, dimension, value)).toMatchObject({ clocks_finished: 1, clocks_met: 1, clocks_met_on_time: 1, clocks_breached: 0, counted_ms_sum: 1_800_000 });
      }
    }
    const buckets = new Set([...deltas.counters.values()].map(({ key }) => `${key.grain}:${new Date(key.bucket).toISOString()}`));
    expect([...buckets].sort()).toEqual(['day:2026-12-04T00:00:00.000Z', 'hour:2026-12-04T10:00:00.000Z']);
    // One sketch bin per counter row, holding the counted time.
    expect(deltas.bins.size).toBe(deltas.counters.size);
    expect([...deltas.bins.values()].every(({ bin, count }) => bin === sketchBin(1_800_000) && count === 1)).toBe(true);
  });

  it('tells a late and breached clock, a cancelled one and one cancelled after its breach apart; only met clocks reach the sketch', () => {
    const deltas = new MetricDeltas();
    deltas.add({ tenantId: TENANT, context: CONTEXT, outcome: clock({ onTime: false, breached: true, countedMs: 5 * HOUR }) });
    deltas.add({ tenantId: TENANT, context: CONTEXT, outcome: clock({ verdict: 'cancelled', onTime: null, breached: false }) });
    deltas.add({ tenantId: TENANT, context: CONTEXT, outcome: clock({ verdict: 'cancelled', onTime: null, breached: true }) });
    expect(row(deltas, 'day', 'team', 'nl')).toMatchObject({ clocks_finished: 3, clocks_met: 1, clocks_met_on_time: 0, clocks_breached: 2, clocks_cancelled: 2, counted_ms_sum: 5 * HOUR });
    const bins = [...deltas.bins.values()].filter(({ key }) => key.grain === 'day' && key.dimension === 'team');
    expect(bins).toEqual([expect.objectContaining({ bin: sketchBin(5 * HOUR), count: 1 })]);
  });

  it('counts commitment verdicts for their party at the due instant; a retracted break takes one back', () => {
    const deltas = new MetricDeltas();
    deltas.add({ tenantId: TENANT, context: CONTEXT, outcome: commitment('kept_on_time') });
    deltas.add({ tenantId: TENANT, context: CONTEXT, outcome: commitment('kept_late') });
    deltas.add({ tenantId: TENANT, context: CONTEXT, outcome: commitment('broken', 'customer') });
    deltas.add({ tenantId: TENANT, context: CONTEXT, outcome: commitment('broken', 'customer') });
    deltas.add({ tenantId: TENANT, context: CONTEXT, outcome: commitment('break_retracted', 'customer') });
    expect(row(deltas, 'hour', 'team', 'nl')).toMatchObject({ provider_kept_on_time: 1, provider_kept_late: 1, provider_broken: 0, customer_broken: 1, clocks_finished: 0 });
    // Commitments have no clock metric and no policy.
    expect(row(deltas, 'hour', 'metric', NO_VALUE)).toMatchObject({ provider_kept_on_time: 1 });
    expect(row(deltas, 'hour', 'policy', NO_VALUE)).toMatchObject({ provider_kept_on_time: 1 });
    const hourBuckets = [...deltas.counters.values()].filter(({ key }) => key.grain === 'hour').map(({ key }) => key.bucket);
    expect(new Set(hourBuckets)).toEqual(new Set([T0 - 30 * 60_000 + 2 * HOUR]));
    expect(deltas.bins.size).toBe(0);
  });

  it('counts a detractor in the bucket it was rated, with the missing dimensions as (none)', () => {
    const deltas = new MetricDeltas();
    deltas.add({ tenantId: TENANT, context: { team: null, channel: null, priority: 'normal', policy: null, agent: null }, detractorAt: T0 + DAY });
    expect(row(deltas, 'day', 'team', NO_VALUE)).toMatchObject({ detractors: 1 });
    expect(row(deltas, 'day', 'priority', 'normal')).toMatchObject({ detractors: 1 });
    expect([...deltas.counters.values()].every(({ key }) => key.bucket >= T0 + DAY - 11 * HOUR)).toBe(true);
  });

  it('sums a batch into one row per key, and lists rows in primary-key order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            team: fc.constantFrom('nl', 'us', null),
            at: fc.integer({ min: T0 - 3 * DAY, max: T0 + 3 * DAY }),
            countedMs: fc.integer({ min: 0, max: 10 * DAY }),
            met: fc.boolean(),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        (facts) => {
          const deltas = new MetricDeltas();
          for (const fact of facts) {
            deltas.add({
              tenantId: TENANT,
              context: { ...CONTEXT, team: fact.team },
              outcome: clock({ at: fact.at, countedMs: fact.countedMs, verdict: fact.met ? 'met' : 'cancelled', onTime: fact.met ? true : null }),
            });
          }
          for (const grain of ['hour', 'day'] as const) {
            for (const dimension of METRIC_DIMENSIONS) {
              const rows = [...deltas.counters.values()].filter(({ key }) => key.grain === grain && key.dimension === dimension);
              // Every fact once under each dimension and grain.
              expect(rows.reduce((sum, { deltas: d }) => sum + (d.clocks_finished ?? 0), 0)).toBe(facts.length);
              const bins = [...deltas.bins.values()].filter(({ key }) => key.grain === grain && key.dimension === dimension);
              expect(bins.reduce((sum, { count }) => sum + count, 0)).toBe(facts.filter((fact) => fact.met).length);
            }
          }
          const sorted = deltas.sortedCounters().map(({ key }) => [key.tenantId, key.grain, key.dimension, key.bucket, key.value]);
          const resorted = [...sorted].sort((a, b) => {
            for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
            return 0;
          });
          expect(sorted).toEqual(resorted);
        },
      ),
    );
  });
});

describe('quantileMs', () => {
  const sketch = (values: number[]) => {
    const bins = new Map<number, number>();
    for (const value of values) bins.set(sketchBin(value), (bins.get(sketchBin(value)) ?? 0) + 1);
    return bins;
  };

  it('has no quantile of nothing, and zeros stay zero', () => {
    expect(quantileMs(new Map(), 0.5)).toBeNull();
    expect(sketchBin(0)).toBe(ZERO_BIN);
    expect(quantileMs(sketch([0, 0, 0, 60_000]), 0.5)).toBe(0);
  });

  it('is within 1 % of the exact quantile (the rank rule q·(n−1)), for any sample', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1_000, max: 30 * DAY }), { minLength: 1, maxLength: 300 }), fc.constantFrom(0, 0.5, 0.9, 0.99, 1), (values, q) => {
        const sorted = [...values].sort((a, b) => a - b);
        const exact = sorted[Math.floor(q * (sorted.length - 1))];
        const estimate = quantileMs(sketch(values), q) as number;
        // 1 % relative accuracy of the sketch, plus the millisecond rounding.
        expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(exact * 0.01 + 1);
      }),
    );
  });

  it('merges by adding bin counts: the sketch of two samples is the sketch of their union', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: DAY }), { maxLength: 100 }), fc.array(fc.integer({ min: 0, max: DAY }), { maxLength: 100 }), (a, b) => {
        const merged = sketch(a);
        for (const [bin, count] of sketch(b)) merged.set(bin, (merged.get(bin) ?? 0) + count);
        for (const q of [0.5, 0.9, 0.99]) expect(quantileMs(merged, q)).toBe(quantileMs(sketch([...a, ...b]), q));
      }),
    );
  });
});

describe('metricFigures and the assembled answer', () => {
  // `from` is not on a bucket's start: the answer starts at its bucket's.
  const query: MetricsQuery = { from: Date.UTC(2026, 11, 4, 9), to: Date.UTC(2026, 11, 5, 12), groupBy: 'team', interval: 'day' };
  const counters = (values: Partial<Record<CounterColumn, number>>) => Float64Array.from(COUNTER_COLUMNS, (column) => values[column] ?? 0);

  it('gives percentages of what they are of, and none of nothing', () => {
    const figures = metricFigures(counters({ clocks_finished: 4, clocks_met: 3, clocks_met_on_time: 2, counted_ms_sum: 9_000, provider_kept_on_time: 1, provider_broken: 1 }), new MergedSketch().quantilesMs(QUANTILES));
    expect(figures).toMatchObject({ clocksFinished: 4, met: 3, metOnTime: 2, metOnTimePct: 66.67, countedMs: { p50: null, mean: 3_000 } });
    expect(figures.promises.ours).toEqual({ keptOnTime: 1, keptLate: 0, broken: 1, keptOnTimePct: 50 });
    expect(figures.promises.customers.keptOnTimePct).toBeNull();
    expect(metricFigures(counters({}), new MergedSketch().quantilesMs(QUANTILES)).metOnTimePct).toBeNull();
  });

  it('writes one CRLF line per group and bucket plus the total, quoted as RFC 4180 says, formulas defused', () => {
    const cellCounters = counters({ clocks_finished: 1, clocks_met: 1, clocks_met_on_time: 1 });
    const quantiles = MergedSketch.of(new Map([[sketchBin(60_000), 1]])).quantilesMs(QUANTILES);
    const figures = metricFigures(cellCounters, quantiles);
    const nl = { group: 'nl', total: figures, buckets: [metricFigures(cellCounters, quantiles, '2026-12-04T00:00:00.000Z')] };
    const formula = { group: '=HYPERLINK("x"), "team"', total: figures, buckets: [] };
    const csv = assembleMetrics(query, 'csv', [{ groups: [nl.group, formula.group].sort(), texts: [metricsCsvLines(formula), metricsCsvLines(nl)] }]);
    expect(csv.startsWith(`${METRICS_CSV_HEADER}\r\n`)).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[0].split(',')).toHaveLength(21);
    expect(lines[1].startsWith(`"'=HYPERLINK(""x""), ""team""",total,`)).toBe(true);
    expect(lines[2]).toMatch(/^nl,2026-12-04T00:00:00\.000Z,1,1,1,100,0,0,\d+,\d+,\d+,0,/);
    expect(lines[3]).toMatch(/^nl,total,1,/);
    expect(Math.abs(Number(lines[2].split(',')[8]) - 60_000)).toBeLessThanOrEqual(600);
  });

  it('puts shares together in group order, as one JSON document, and refuses a group from two shares', () => {
    const figures = metricFigures(counters({ clocks_finished: 2, clocks_met: 2 }), [1, 2, 3]);
    const group = (name: string) => ({ group: name, total: figures, buckets: [metricFigures(counters({ clocks_finished: 2, clocks_met: 2 }), [1, 2, 3], '2026-12-04T00:00:00.000Z')] });
    const share = (names: string[]) => ({ groups: names, texts: names.map((name) => JSON.stringify(group(name))) });
    const text = assembleMetrics(query, 'json', [share(['a', 'd']), share(['B', 'c']), share([])]);
    expect(JSON.parse(text)).toEqual({
      from: '2026-12-04T00:00:00.000Z',
      to: '2026-12-05T12:00:00.000Z',
      interval: 'day',
      groupBy: 'team',
      groups: ['B', 'a', 'c', 'd'].map(group),
    });
    expect(JSON.parse(assembleMetrics(query, 'json', [share([])])).groups).toEqual([]);
    expect(() => assembleMetrics(query, 'json', [share(['a']), share(['a'])])).toThrow(/group a came from two shares/);
  });
});
