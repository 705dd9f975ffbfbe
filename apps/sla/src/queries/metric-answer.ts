import { COUNTER_COLUMNS, type CounterColumn, type MetricDimension, type MetricGrain } from '../metrics/metric-deltas';
import { addPackedCounters, MergedSketch, type SketchBins } from '../metrics/packed-sketch';

/*
 * The metrics answer, from the rows of the aggregates to its text. No NestJS, no TypeORM: it
 * runs on the answering threads (metric-answer.worker.ts), each with its own connections, so
 * that a large answer neither blocks the event loop that fires timers and applies batches nor
 * waits for one core. A grouped answer is split by group between the threads: each reads and
 * renders the groups whose value hashes to its share, and the shares are put together in
 * group order (`assembleMetrics`).
 */

/** The counted-time quantiles of every figure set: p50, p90, p99. */
export const QUANTILES = [0.5, 0.9, 0.99] as const;
const GRAIN_MS: Record<MetricGrain, number> = { hour: 3_600_000, day: 86_400_000 };

/** A cell's counters, in the order of COUNTER_COLUMNS (what packed counters unpack into). */
export type Counters = Float64Array;
/** Where each counter is in `Counters`. */
const AT = Object.fromEntries(COUNTER_COLUMNS.map((column, i) => [column, i])) as Record<CounterColumn, number>;

export interface MetricsQuery {
  from: number;
  to: number;
  groupBy: MetricDimension | null;
  interval: MetricGrain;
}

export type MetricsFormat = 'json' | 'csv';

/** One share of an answer: the groups whose value hashes to `share` (0 … `shares` − 1). */
export interface MetricsShareTask {
  tenantId: string;
  query: MetricsQuery;
  share: number;
  shares: number;
  format: MetricsFormat;
}

/** A share's groups, each rendered: a JSON object, or its CSV lines. */
export interface MetricsShare {
  groups: string[];
  texts: string[];
}

/** Runs one statement and gives its rows (the worker's pool, or the service's DataSource). */
export type RowReader = (sql: string, params: unknown[]) => Promise<unknown[]>;

/** DDSketch's quantile rule over merged bins: rank q·(n−1), zeros first, the bin's representative value. */
export function quantileMs(bins: SketchBins, q: number): number | null {
  return MergedSketch.of(bins).quantilesMs([q])[0];
}

function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 100;
}

// Not query-params' `iso`: that module loads NestJS, which the answering threads do not.
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One group and bucket (or a group's total: no `bucket`) in the answer's words; `quantiles`
 * are the counted time's p50, p90 and p99. A total's `bucket` is left undefined, which
 * JSON leaves out: one literal for both, where spreading figures into a bucket's object was a
 * twentieth of a large answer.
 */
export function metricFigures(counters: Counters, [p50, p90, p99]: ReadonlyArray<number | null>, bucket?: string) {
  const promises = (party: 'provider' | 'customer') => {
    const keptOnTime = counters[AT[`${party}_kept_on_time`]];
    const keptLate = counters[AT[`${party}_kept_late`]];
    const broken = counters[AT[`${party}_broken`]];
    return { keptOnTime, keptLate, broken, keptOnTimePct: percent(keptOnTime, keptOnTime + keptLate + broken) };
  };
  const met = counters[AT.clocks_met];
  return {
    bucket,
    clocksFinished: counters[AT.clocks_finished],
    met,
    metOnTime: counters[AT.clocks_met_on_time],
    metOnTimePct: percent(counters[AT.clocks_met_on_time], met),
    breached: counters[AT.clocks_breached],
    cancelled: counters[AT.clocks_cancelled],
    countedMs: { p50, p90, p99, mean: met === 0 ? null : Math.round(counters[AT.counted_ms_sum] / met) },
    promises: { ours: promises('provider'), customers: promises('customer') },
    detractors: counters[AT.detractors],
  };
}

export type MetricFigures = ReturnType<typeof metricFigures>;

export interface MetricGroup {
  group: string;
  total: MetricFigures;
  /** Each with its `bucket`. */
  buckets: MetricFigures[];
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

/**
 * One row of a share's statement: a group's packed cells one after the other (`cells`), a bin
 * not folded yet (`bin`), or a cell's counters not folded yet (the counter columns).
 */
type CellRow = { value: string; bucket: number | null; cells: Buffer | null; bin: number | null; count: number | null } & Record<CounterColumn, number | null>;

/** The answer's first instant: `from` down to the start of its bucket. */
export function alignedFrom(query: MetricsQuery): number {
  const grainMs = GRAIN_MS[query.interval];
  return Math.floor(query.from / grainMs) * grainMs;
}

/**
 * Reads a share's cells in one statement (one snapshot: a fold between two reads would count
 * what it moved twice or not at all): the packed cells, and the bins and counters batches
 * wrote since the last fold.
 */
async function readCells(read: RowReader, { tenantId, query, share, shares }: MetricsShareTask): Promise<CellRow[]> {
  // Without a groupBy every fact is still counted once under `metric`: its sum is the total.
  const dimension = query.groupBy ?? 'metric';
  const params: unknown[] = [tenantId, query.interval, dimension, iso(alignedFrom(query)), iso(query.to)];
  // A share is the groups whose value hashes to it; a group is never split.
  if (shares > 1) params.push(shares, share);
  const ofShare = shares > 1 ? 'AND (hashtext(value) & 2147483647) % $6 = $7' : '';
  // Without a groupBy every cell of a bucket is the one cell '(all)': their counts add up.
  const group = query.groupBy ? 'value' : `'(all)'::text`;
  const cellRange = `WHERE tenant_id = $1 AND grain = $2 AND dimension = $3 AND bucket >= $4 AND bucket < $5 ${ofShare}`;
  // Buckets as epoch milliseconds: parsing thousands of timestamps from text was a tenth of a large answer.
  const epochMs = '(extract(epoch FROM bucket) * 1000)::float8';
  const noCounters = COUNTER_COLUMNS.map((column) => `NULL::float8 AS "${column}"`).join(', ');
  const counterColumns = COUNTER_COLUMNS.map((column) => `"${column}"::float8`).join(', ');
  return (await read(
    `SELECT ${group} AS value, NULL::float8 AS bucket,
            string_agg(float8send(${epochMs}) || int4send(coalesce(length(counters), 0)) || coalesce(counters, ''::bytea) || int4send(length(bins)) || bins, ''::bytea) AS cells,
            NULL::int AS bin, NULL::float8 AS count, ${noCounters}
       FROM sla.metric_sketches ${cellRange} GROUP BY 1
     UNION ALL
     SELECT ${group}, ${epochMs}, NULL, bin, sum(count)::float8, ${noCounters} FROM sla.metric_sketch_bins ${cellRange} GROUP BY 1, 2, 4
     UNION ALL
     SELECT ${group}, ${epochMs}, NULL, NULL, NULL, ${counterColumns} FROM sla.metric_counters ${cellRange}`,
    params,
  )) as CellRow[];
}

/** The groups of the rows (in no order: `assembleMetrics` orders the shares' groups together), each with its buckets in time order and its total. */
export function metricGroups(rows: CellRow[]): MetricGroup[] {
  // Group → bucket → cell.
  const groups = new Map<string, Map<number, Cell>>();
  const cell = (group: string, bucket: number) => {
    let buckets = groups.get(group);
    if (!buckets) {
      buckets = new Map();
      groups.set(group, buckets);
    }
    let entry = buckets.get(bucket);
    if (!entry) {
      entry = { bucket, counters: new Float64Array(COUNTER_COLUMNS.length), sketch: new CellSketch() };
      buckets.set(bucket, entry);
    }
    return entry;
  };
  for (const row of rows) {
    const { cells } = row;
    if (cells) {
      // A group's packed cells, one after the other: bucket (float64), counters' length (int32),
      // counters, sketch's length (int32), sketch.
      for (let at = 0; at < cells.length; ) {
        const entry = cell(row.value, cells.readDoubleBE(at));
        const countersEnd = at + 12 + cells.readInt32BE(at + 8);
        if (countersEnd > at + 12) addPackedCounters(entry.counters, cells, at + 12, countersEnd);
        const end = countersEnd + 4 + cells.readInt32BE(countersEnd);
        entry.sketch.addPacked(cells.subarray(countersEnd + 4, end));
        at = end;
      }
    } else if (row.bin !== null) cell(row.value, row.bucket as number).sketch.add(row.bin, row.count as number);
    else {
      const { counters } = cell(row.value, row.bucket as number);
      COUNTER_COLUMNS.forEach((column, i) => (counters[i] += row[column] as number));
    }
  }

  // Every group has the same few buckets: each is written out once.
  const bucketIsos = new Map<number, string>();
  const bucketIso = (bucket: number) => {
    let text = bucketIsos.get(bucket);
    if (text === undefined) {
      text = iso(bucket);
      bucketIsos.set(bucket, text);
    }
    return text;
  };
  return [...groups.entries()].map(([group, buckets]) => {
    const counters = new Float64Array(COUNTER_COLUMNS.length);
    const sketch = new MergedSketch();
    const cells = [...buckets.values()].sort((a, b) => a.bucket - b.bucket);
    const bucketFigures = cells.map((entry) => {
      for (let i = 0; i < counters.length; i++) counters[i] += entry.counters[i];
      return metricFigures(entry.counters, entry.sketch.addToWithQuantiles(sketch, QUANTILES), bucketIso(entry.bucket));
    });
    return { group, total: metricFigures(counters, sketch.quantilesMs(QUANTILES)), buckets: bucketFigures };
  });
}

/** Groups in UTF-16 code unit order. */
function compareGroups(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Reads and renders one share of an answer. */
export async function answerMetricsShare(read: RowReader, task: MetricsShareTask): Promise<MetricsShare> {
  const groups = metricGroups(await readCells(read, task));
  return {
    groups: groups.map((group) => group.group),
    texts: groups.map((group) => (task.format === 'json' ? JSON.stringify(group) : metricsCsvLines(group))),
  };
}

/** The whole answer from its shares, groups in order: the JSON document, or the CSV with its header. */
export function assembleMetrics(query: MetricsQuery, format: MetricsFormat, shares: MetricsShare[]): string {
  const rendered = shares.flatMap((share) => share.groups.map((group, i) => ({ group, text: share.texts[i] })));
  rendered.sort((a, b) => compareGroups(a.group, b.group));
  for (let i = 1; i < rendered.length; i++) {
    if (rendered[i].group === rendered[i - 1].group) throw new Error(`metrics: group ${rendered[i].group} came from two shares`);
  }
  const texts = rendered.map((entry) => entry.text);
  if (format === 'csv') return `${METRICS_CSV_HEADER}\r\n${texts.join('')}`;
  const head = JSON.stringify({ from: iso(alignedFrom(query)), to: iso(query.to), interval: query.interval, groupBy: query.groupBy });
  return `${head.slice(0, -1)},"groups":[${texts.join(',')}]}`;
}

/** The CSV's columns: one row per group and bucket, the group's totals under bucket `total`. */
export const METRICS_CSV_HEADER = [
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
].join(',');

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // RFC 4180 quoting; a leading formula character is defused for spreadsheets.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A group's CSV rows (its buckets, then its total), each ended by CRLF. */
export function metricsCsvLines(group: MetricGroup): string {
  const rows: Array<[string, MetricFigures]> = [...group.buckets.map((bucket) => [bucket.bucket as string, bucket] as [string, MetricFigures]), ['total', group.total]];
  let lines = '';
  for (const [bucket, f] of rows) {
    lines += `${[
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
      .map(csvField)
      .join(',')}\r\n`;
  }
  return lines;
}
