import { LogarithmicMapping } from '@datadog/sketches-js/dist/ddsketch/mapping';

import type { EngineOutcome } from '@pw/sla-engine';

/** The dimensions `GET /v1/metrics?groupBy=` offers; every fact is counted once under each. */
export const METRIC_DIMENSIONS = ['team', 'agent', 'channel', 'priority', 'policy', 'metric'] as const;
export type MetricDimension = (typeof METRIC_DIMENSIONS)[number];

/** A bucket grain kept in the aggregates: hours for `interval=hour`, UTC days for `interval=day`. */
export const METRIC_GRAINS = ['hour', 'day'] as const;
export type MetricGrain = (typeof METRIC_GRAINS)[number];

/** The value of a dimension a fact does not have (no team, a commitment under `metric`). */
export const NO_VALUE = '(none)';

export const COUNTER_COLUMNS = [
  'clocks_finished',
  'clocks_met',
  'clocks_met_on_time',
  'clocks_breached',
  'clocks_cancelled',
  'counted_ms_sum',
  'provider_kept_on_time',
  'provider_kept_late',
  'provider_broken',
  'customer_kept_on_time',
  'customer_kept_late',
  'customer_broken',
  'detractors',
] as const;
export type CounterColumn = (typeof COUNTER_COLUMNS)[number];

/**
 * Counted time goes into a DDSketch with 1 % relative accuracy; its bins are kept in
 * PostgreSQL (one row per bin), so sketches of any buckets and groups merge by adding counts.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.01;
export const sketchMapping = new LogarithmicMapping(SKETCH_RELATIVE_ACCURACY);
/** The bin of a zero duration (DDSketch keeps zeros apart from its bins). */
export const ZERO_BIN = -2_147_483_648;

export function sketchBin(countedMs: number): number {
  const seconds = countedMs / 1000;
  return seconds < sketchMapping.minPossible ? ZERO_BIN : sketchMapping.key(seconds);
}

/** What is known about the conversation and the actor when a fact happened. */
export interface FactContext {
  team: string | null;
  channel: string | null;
  priority: string;
  policy: string | null;
  agent: string | null;
}

/** A fact that moves the aggregates: an engine outcome, or a detractor rating. */
export type MetricFact = { tenantId: string; context: FactContext } & ({ outcome: EngineOutcome } | { detractorAt: number });

export interface CounterKey {
  tenantId: string;
  grain: MetricGrain;
  bucket: number;
  dimension: MetricDimension;
  value: string;
}

function bucketStart(at: number, grain: MetricGrain): number {
  const size = grain === 'hour' ? 3_600_000 : 86_400_000;
  return Math.floor(at / size) * size;
}

function keyString(key: CounterKey): string {
  return `${key.tenantId}\u0000${key.grain}\u0000${key.dimension}\u0000${key.bucket}\u0000${key.value}`;
}

/**
 * Sums a batch's facts into counter and sketch-bin deltas, so that a batch writes each
 * aggregate row once. Buckets: a clock counts when it finishes; a commitment verdict at the
 * commitment's due instant (where a late keep or a retracted break moves it); a detractor
 * when rated.
 */
export class MetricDeltas {
  readonly counters = new Map<string, { key: CounterKey; deltas: Partial<Record<CounterColumn, number>> }>();
  readonly bins = new Map<string, { key: CounterKey; bin: number; count: number }>();

  add(fact: MetricFact): void {
    if ('detractorAt' in fact) {
      this.count(fact.tenantId, fact.detractorAt, fact.context, null, { detractors: 1 });
      return;
    }
    const { outcome, context } = fact;
    if (outcome.kind === 'clock') {
      const met = outcome.verdict === 'met';
      const deltas: Partial<Record<CounterColumn, number>> = {
        clocks_finished: 1,
        ...(met ? { clocks_met: 1, counted_ms_sum: outcome.countedMs } : { clocks_cancelled: 1 }),
        ...(met && outcome.onTime ? { clocks_met_on_time: 1 } : {}),
        ...(outcome.breached ? { clocks_breached: 1 } : {}),
      };
      const withPolicy = { ...context, policy: outcome.policy };
      this.count(fact.tenantId, outcome.at, withPolicy, outcome.metric, deltas, met ? sketchBin(outcome.countedMs) : undefined);
      return;
    }
    const party = outcome.by === 'provider' ? 'provider' : 'customer';
    const deltas: Partial<Record<CounterColumn, number>> =
      outcome.verdict === 'kept_on_time'
        ? { [`${party}_kept_on_time`]: 1 }
        : outcome.verdict === 'kept_late'
          ? { [`${party}_kept_late`]: 1 }
          : outcome.verdict === 'broken'
            ? { [`${party}_broken`]: 1 }
            : { [`${party}_broken`]: -1 };
    this.count(fact.tenantId, outcome.dueAt, context, null, deltas);
  }

  get isEmpty(): boolean {
    return this.counters.size === 0;
  }

  private count(tenantId: string, at: number, context: FactContext, metric: string | null, deltas: Partial<Record<CounterColumn, number>>, bin?: number): void {
    const values: Record<MetricDimension, string> = {
      team: context.team ?? NO_VALUE,
      agent: context.agent ?? NO_VALUE,
      channel: context.channel ?? NO_VALUE,
      priority: context.priority,
      policy: context.policy ?? NO_VALUE,
      metric: metric ?? NO_VALUE,
    };
    for (const grain of METRIC_GRAINS) {
      const bucket = bucketStart(at, grain);
      for (const dimension of METRIC_DIMENSIONS) {
        const key: CounterKey = { tenantId, grain, bucket, dimension, value: values[dimension] };
        const id = keyString(key);
        let entry = this.counters.get(id);
        if (!entry) {
          entry = { key, deltas: {} };
          this.counters.set(id, entry);
        }
        for (const [column, delta] of Object.entries(deltas) as Array<[CounterColumn, number]>) {
          entry.deltas[column] = (entry.deltas[column] ?? 0) + delta;
        }
        if (bin !== undefined) {
          const binId = `${id}\u0000${bin}`;
          const existing = this.bins.get(binId);
          if (existing) existing.count++;
          else this.bins.set(binId, { key, bin, count: 1 });
        }
      }
    }
  }

  /** Rows in the order of the cell index they are appended to (and of the test oracle's comparisons). */
  sortedCounters(): Array<{ key: CounterKey; deltas: Partial<Record<CounterColumn, number>> }> {
    return [...this.counters.values()].sort((a, b) => compareKeys(a.key, b.key));
  }

  sortedBins(): Array<{ key: CounterKey; bin: number; count: number }> {
    return [...this.bins.values()].sort((a, b) => compareKeys(a.key, b.key) || a.bin - b.bin);
  }
}

function compareKeys(a: CounterKey, b: CounterKey): number {
  if (a.tenantId !== b.tenantId) return a.tenantId < b.tenantId ? -1 : 1;
  if (a.grain !== b.grain) return a.grain < b.grain ? -1 : 1;
  if (a.dimension !== b.dimension) return a.dimension < b.dimension ? -1 : 1;
  if (a.bucket !== b.bucket) return a.bucket - b.bucket;
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return 0;
}
