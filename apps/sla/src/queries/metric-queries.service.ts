import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { COUNTER_COLUMNS, type CounterColumn, type MetricDimension, type MetricGrain } from '../metrics/metric-deltas';
import { MergedSketch, type SketchBins } from '../metrics/metric-sketches';
import { iso } from './query-params';

/** The metrics `outliers` ranks: the clock metrics of the contract. */
export const OUTLIER_METRICS = ['acknowledgement', 'first_response', 'next_response', 'periodic_update', 'resolution'] as const;

/** The counted-time quantiles of every figure set: p50, p90, p99. */
export const QUANTILES = [0.5, 0.9, 0.99] as const;
const GRAIN_MS: Record<MetricGrain, number> = { hour: 3_600_000, day: 86_400_000 };

type Counters = Record<CounterColumn, number>;

const NO_COUNTS = Object.freeze(Object.fromEntries(COUNTER_COLUMNS.map((column) => [column, 0])) as Counters);

function emptyCounters(): Counters {
  return { ...NO_COUNTS };
}

/** DDSketch's quantile rule over merged bins: rank q·(n−1), zeros first, the bin's representative value. */
export function quantileMs(bins: SketchBins, q: number): number | null {
  return MergedSketch.of(bins).quantilesMs([q])[0];
}

function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 100;
}

/** One group and bucket (or a group's total) in the answer's words; `quantiles` are the counted time's p50, p90 and p99. */
export function metricFigures(counters: Counters, [p50, p90, p99]: ReadonlyArray<number | null>) {
  const promises = (party: 'provider' | 'customer') => {
    const keptOnTime = counters[`${party}_kept_on_time`];
    const keptLate = counters[`${party}_kept_late`];
    const broken = counters[`${party}_broken`];
    return { keptOnTime, keptLate, broken, keptOnTimePct: percent(keptOnTime, keptOnTime + keptLate + broken) };
  };
  return {
    clocksFinished: counters.clocks_finished,
    met: counters.clocks_met,
    metOnTime: counters.clocks_met_on_time,
    metOnTimePct: percent(counters.clocks_met_on_time, counters.clocks_met),
    breached: counters.clocks_breached,
    cancelled: counters.clocks_cancelled,
    countedMs: { p50, p90, p99, mean: counters.clocks_met === 0 ? null : Math.round(counters.counted_ms_sum / counters.clocks_met) },
    promises: { ours: promises('provider'), customers: promises('customer') },
    detractors: counters.detractors,
  };
}

/**
 * A cell's counted time: most cells are one packed sketch, read once while it is added to its
 * group's total; anything more (several rows, bins not folded yet) is merged first.
 */
class CellSketch {
  private packed: Buffer | null = null;
  private merged: MergedSketch | null = null;

  addPacked(packed: Buffer): void {
    if (this.packed === null && this.merged === null) this.packed = packed;
    else this.mergedSketch().addPacked(packed);
  }

  add(key: number, count: number): void {
    this.mergedSketch().add(key, count);
  }

  /** Adds this cell's counts to a group's and answers the cell's own quantiles, reading a packed sketch once. */
  addToWithQuantiles(target: MergedSketch, qs: readonly number[]): Array<number | null> {
    if (this.merged) {
      target.addSketch(this.merged);
      return this.merged.quantilesMs(qs);
    }
    return this.packed ? target.addPackedWithQuantiles(this.packed, qs) : qs.map(() => null);
  }

  private mergedSketch(): MergedSketch {
    if (!this.merged) {
      this.merged = new MergedSketch();
      if (this.packed) this.merged.addPacked(this.packed);
      this.packed = null;
    }
    return this.merged;
  }
}

interface Cell {
  bucket: number;
  counters: Counters;
  sketch: CellSketch;
}

export interface MetricsQuery {
  from: number;
  to: number;
  groupBy: MetricDimension | null;
  interval: MetricGrain;
}

/**
 * Reads the aggregates the batches maintain (counters and sketch bins per bucket), never
 * the finished clocks themselves: the cost follows buckets × groups, not clocks.
 */
@Injectable()
export class MetricQueriesService {
  constructor(private readonly dataSource: DataSource) {}

  async metrics(tenantId: string, query: MetricsQuery) {
    const grainMs = GRAIN_MS[query.interval];
    const from = Math.floor(query.from / grainMs) * grainMs;
    const to = query.to;
    // Without a groupBy every fact is still counted once under `metric`: its sum is the total.
    const dimension = query.groupBy ?? 'metric';
    // A cell is one row per group and bucket when grouped by a dimension (the key of the
    // table); without a groupBy, the metrics of a bucket are summed into it.
    const counterColumns = COUNTER_COLUMNS.map((column) => (query.groupBy ? `"${column}"::float8 AS "${column}"` : `sum("${column}")::float8 AS "${column}"`)).join(', ');
    const params = [tenantId, query.interval, dimension, new Date(from).toISOString(), new Date(to).toISOString()];
    const group = query.groupBy ? 'value' : `'(all)'::text`;
    const cellRange = 'WHERE tenant_id = $1 AND grain = $2 AND dimension = $3 AND bucket >= $4 AND bucket < $5';
    // Buckets as epoch milliseconds: parsing thousands of timestamps from text was a tenth of a large answer.
    const bucketMs = '(extract(epoch FROM bucket) * 1000)::float8 AS bucket';
    // Counted time: the packed sketches and the bins batches wrote since the last fold, in one
    // statement (one snapshot): a fold between two reads would count its bins twice or not at all.
    const [counterRows, sketchRows] = await Promise.all([
      this.dataSource.query(`SELECT ${group} AS value, ${bucketMs}, ${counterColumns} FROM sla.metric_counters ${cellRange} ${query.groupBy ? '' : 'GROUP BY 2'}`, params) as Promise<
        Array<Counters & { value: string; bucket: number }>
      >,
      this.dataSource.query(
        `SELECT ${group} AS value, ${bucketMs}, bins, NULL::int AS bin, NULL::float8 AS count FROM sla.metric_sketches ${cellRange}
         UNION ALL
         SELECT ${group} AS value, ${bucketMs}, NULL::bytea, bin, sum(count)::float8 FROM sla.metric_sketch_bins ${cellRange} GROUP BY 1, 2, 4`,
        params,
      ) as Promise<Array<{ value: string; bucket: number; bins: Buffer | null; bin: number | null; count: number | null }>>,
    ]);

    // Group → bucket → cell. The counter rows are whole cells already; their sketches join them.
    const groups = new Map<string, Map<number, Cell>>();
    const cell = (group: string, bucket: number) => {
      let buckets = groups.get(group);
      if (!buckets) {
        buckets = new Map();
        groups.set(group, buckets);
      }
      let entry = buckets.get(bucket);
      if (!entry) {
        // Shared and frozen until the cell's counter row arrives: cells are only read.
        entry = { bucket, counters: NO_COUNTS, sketch: new CellSketch() };
        buckets.set(bucket, entry);
      }
      return entry;
    };
    for (const row of counterRows) {
      const entry = cell(row.value, row.bucket);
      if (entry.counters !== NO_COUNTS) throw new Error(`metric counters: two rows for ${row.value} at ${iso(row.bucket)}`);
      entry.counters = row;
    }
    for (const row of sketchRows) {
      const { sketch } = cell(row.value, row.bucket);
      if (row.bins) sketch.addPacked(row.bins);
      else if (row.bin !== null) sketch.add(row.bin, Number(row.count));
    }

    // Every group has the same few buckets: each is written out once.
    const bucketIsos = new Map<number, string>();
    const bucketIso = (bucket: number) => {
      let text = bucketIsos.get(bucket);
      if (text === undefined) {
        text = new Date(bucket).toISOString();
        bucketIsos.set(bucket, text);
      }
      return text;
    };
    const answerGroups = [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([group, buckets]) => {
        const counters = emptyCounters();
        const sketch = new MergedSketch();
        const cells = [...buckets.values()].sort((a, b) => a.bucket - b.bucket);
        const bucketFigures = cells.map((entry) => {
          for (const column of COUNTER_COLUMNS) counters[column] += entry.counters[column];
          return { bucket: bucketIso(entry.bucket), ...metricFigures(entry.counters, entry.sketch.addToWithQuantiles(sketch, QUANTILES)) };
        });
        return { group, total: metricFigures(counters, sketch.quantilesMs(QUANTILES)), buckets: bucketFigures };
      });
    return {
      from: iso(from),
      to: iso(to),
      interval: query.interval,
      groupBy: query.groupBy,
      groups: answerGroups,
    };
  }

  /** The worst finished clocks of a metric (met or cancelled): counted time beyond the target, most first. */
  async outliers(tenantId: string, metric: string, limit: number, range: { from?: number; to?: number }) {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT conversation_id, customer_id, cycle, policy, team, agent, channel, priority, verdict, on_time, breached,
              started_at, due_at, finished_at, counted_ms, target_ms, (counted_ms - target_ms) AS overrun_ms
         FROM sla.finished_clocks
        WHERE tenant_id = $1 AND metric = $2
          AND ($4::timestamptz IS NULL OR finished_at >= $4) AND ($5::timestamptz IS NULL OR finished_at < $5)
        ORDER BY (counted_ms - target_ms) DESC, finished_at, conversation_id LIMIT $3`,
      [tenantId, metric, limit, range.from === undefined ? null : iso(range.from), range.to === undefined ? null : iso(range.to)],
    );
    return {
      metric,
      items: rows.map((row) => ({
        conversationId: row.conversation_id,
        customerId: row.customer_id,
        cycle: row.cycle,
        policy: row.policy,
        team: row.team,
        agent: row.agent,
        channel: row.channel,
        priority: row.priority,
        verdict: row.verdict,
        onTime: row.on_time,
        breached: row.breached,
        startedAt: iso((row.started_at as Date).getTime()),
        dueAt: row.due_at ? iso((row.due_at as Date).getTime()) : null,
        finishedAt: iso((row.finished_at as Date).getTime()),
        countedMs: Number(row.counted_ms),
        targetMs: Number(row.target_ms),
        overrunMs: Number(row.overrun_ms),
        links: {
          conversation: `/v1/conversations/${encodeURIComponent(String(row.conversation_id))}`,
          customer: `/v1/customers/${encodeURIComponent(String(row.customer_id))}`,
        },
      })),
    };
  }
}

/** The metrics answer as CSV: one row per group and bucket, the group's totals under bucket `total`. */
export function metricsCsv(answer: Awaited<ReturnType<MetricQueriesService['metrics']>>): string {
  const header = [
    'group',
    'bucket',
    'clocks_finished',
    'met',
    'met_on_time',
    'met_on_time_pct',
    'breached',
    'cancelled',
    'counted_ms_p50',
    'counted_ms_p90',
    'counted_ms_p99',
    'counted_ms_mean',
    'our_promises_kept_on_time',
    'our_promises_kept_late',
    'our_promises_broken',
    'our_promises_kept_on_time_pct',
    'customer_promises_kept_on_time',
    'customer_promises_kept_late',
    'customer_promises_broken',
    'customer_promises_kept_on_time_pct',
    'detractors',
  ];
  const field = (value: unknown): string => {
    if (value === null || value === undefined) return '';
    const text = String(value);
    // RFC 4180 quoting; a leading formula character is defused for spreadsheets.
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [header.join(',')];
  for (const group of answer.groups) {
    const rows: Array<[string, ReturnType<typeof metricFigures>]> = [
      ...group.buckets.map((bucket) => [bucket.bucket ?? '', bucket] as [string, ReturnType<typeof metricFigures>]),
      ['total', group.total],
    ];
    for (const [bucket, f] of rows) {
      lines.push(
        [
          group.group,
          bucket,
          f.clocksFinished,
          f.met,
          f.metOnTime,
          f.metOnTimePct,
          f.breached,
          f.cancelled,
          f.countedMs.p50,
          f.countedMs.p90,
          f.countedMs.p99,
          f.countedMs.mean,
          f.promises.ours.keptOnTime,
          f.promises.ours.keptLate,
          f.promises.ours.broken,
          f.promises.ours.keptOnTimePct,
          f.promises.customers.keptOnTime,
          f.promises.customers.keptLate,
          f.promises.customers.broken,
          f.promises.customers.keptOnTimePct,
          f.detractors,
        ]
          .map(field)
          .join(','),
      );
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
