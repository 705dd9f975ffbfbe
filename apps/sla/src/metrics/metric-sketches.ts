import type { EntityManager } from 'typeorm';

import { tryLockTenantsShared } from '../processing/apply-interactions';
import { sketchMapping, ZERO_BIN } from './metric-deltas';

/*
 * The sketches of counted time live in two tables. Batches add to `metric_sketch_bins`, one
 * row per (cell, bin), so that a batch's write is a plain upsert of counts. Reading those
 * rows does not scale: a month of days by team is 600 cells of a few hundred bins each,
 * hundreds of thousands of rows per question. So a fold moves them, in the background, into
 * `metric_sketches`, one row per cell with its bins packed, and a question reads a cell's
 * packed sketch plus whatever bins have not been folded yet. Both tables together always
 * hold every count exactly once: a fold deletes the bin rows and adds them to the packed
 * sketch in one transaction.
 */

/** A DDSketch as merged bins: bin key → count. */
export type SketchBins = Map<number, number>;

/** A packed bin: its key (int32) and its count (float64, exact to 2^53), little-endian. */
const PACKED_BIN_BYTES = 12;

/** Packs bins in key order; empty bins are left out. */
export function packSketch(bins: SketchBins): Buffer {
  const keys = [...bins.keys()].filter((key) => (bins.get(key) ?? 0) !== 0).sort((a, b) => a - b);
  const packed = Buffer.allocUnsafe(keys.length * PACKED_BIN_BYTES);
  keys.forEach((key, i) => {
    packed.writeInt32LE(key, i * PACKED_BIN_BYTES);
    packed.writeDoubleLE(bins.get(key) as number, i * PACKED_BIN_BYTES + 4);
  });
  return packed;
}

/** Adds a packed sketch's counts to `into`. */
export function addPackedSketch(into: SketchBins, packed: Buffer): SketchBins {
  if (packed.length % PACKED_BIN_BYTES !== 0) throw new Error(`a packed sketch of ${packed.length} bytes is not a whole number of bins`);
  for (let offset = 0; offset < packed.length; offset += PACKED_BIN_BYTES) {
    const key = packed.readInt32LE(offset);
    into.set(key, (into.get(key) ?? 0) + packed.readDoubleLE(offset + 4));
  }
  return into;
}

/** Only one fold at a time, across instances: two folds creating the same cell would lose counts. */
const FOLD_LOCK = `hashtextextended('sla-sketch-fold', 0)`;

export interface FoldResult {
  /** Bin rows moved into packed sketches. */
  bins: number;
  /** Packed sketches written. */
  cells: number;
}

/**
 * Folds up to `limit` bin rows into the packed sketches, in the caller's transaction. Takes
 * no row a batch holds (SKIP LOCKED) and no tenant under replay (its shared lock, tried);
 * does nothing while another fold runs.
 */
export async function foldSketchBins(manager: EntityManager, limit: number): Promise<FoldResult> {
  const [{ locked }]: Array<{ locked: boolean }> = await manager.query(`SELECT pg_try_advisory_xact_lock(${FOLD_LOCK}) AS locked`);
  if (!locked) return { bins: 0, cells: 0 };
  const candidates: Array<{ tenant_id: string }> = await manager.query(`SELECT DISTINCT tenant_id FROM (SELECT tenant_id FROM sla.metric_sketch_bins LIMIT $1) b`, [limit]);
  if (candidates.length === 0) return { bins: 0, cells: 0 };
  const tenants = await tryLockTenantsShared(
    manager,
    candidates.map((row) => row.tenant_id),
  );
  if (tenants.size === 0) return { bins: 0, cells: 0 };

  // The moved bins, summed per cell in PostgreSQL: one row per cell comes back.
  const moved: Array<{ tenant_id: string; grain: string; dimension: string; bucket: Date; value: string; bins: number[]; counts: string[]; n: number }> = await manager.query(
    `WITH moved AS (
       DELETE FROM sla.metric_sketch_bins WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM sla.metric_sketch_bins WHERE tenant_id = ANY($1::uuid[]) LIMIT $2 FOR UPDATE SKIP LOCKED))
       RETURNING tenant_id, grain, dimension, bucket, value, bin, count)
     SELECT tenant_id, grain, dimension, bucket, value, array_agg(bin) AS bins, array_agg(count) AS counts, count(*)::int AS n
       FROM moved GROUP BY tenant_id, grain, dimension, bucket, value
       ORDER BY tenant_id, grain, dimension, bucket, value`,
    [[...tenants], limit],
  );
  if (moved.length === 0) return { bins: 0, cells: 0 };

  const cellKey = (row: { tenant_id: string; grain: string; dimension: string; bucket: Date; value: string }) =>
    `${row.tenant_id}\u0000${row.grain}\u0000${row.dimension}\u0000${row.bucket.getTime()}\u0000${row.value}`;
  const columns = (rows: typeof moved) => [
    rows.map((row) => row.tenant_id),
    rows.map((row) => row.grain),
    rows.map((row) => row.dimension),
    rows.map((row) => row.bucket.toISOString()),
    rows.map((row) => row.value),
  ];
  const existing: Array<{ tenant_id: string; grain: string; dimension: string; bucket: Date; value: string; bins: Buffer }> = await manager.query(
    `SELECT s.tenant_id, s.grain, s.dimension, s.bucket, s.value, s.bins FROM sla.metric_sketches s
       JOIN unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[]) AS c(tenant_id, grain, dimension, bucket, value)
         USING (tenant_id, grain, dimension, bucket, value)
      ORDER BY s.tenant_id, s.grain, s.dimension, s.bucket, s.value FOR UPDATE OF s`,
    columns(moved),
  );
  const packedNow = new Map(existing.map((row) => [cellKey(row), row.bins]));
  const merged = moved.map((row) => {
    const bins = addPackedSketch(new Map(), packedNow.get(cellKey(row)) ?? Buffer.alloc(0));
    row.bins.forEach((bin, i) => bins.set(bin, (bins.get(bin) ?? 0) + Number(row.counts[i])));
    return packSketch(bins);
  });
  await manager.query(
    `INSERT INTO sla.metric_sketches (tenant_id, grain, dimension, bucket, value, bins)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::bytea[])
     ON CONFLICT (tenant_id, grain, dimension, bucket, value) DO UPDATE SET bins = EXCLUDED.bins`,
    [...columns(moved), merged],
  );
  return { bins: moved.reduce((sum, row) => sum + row.n, 0), cells: moved.length };
}

/**
 * A sketch being merged for an answer: counts in a dense array over the keys seen (DDSketch
 * keys of one cell or group sit within a few hundred of each other), zeros apart. Merging
 * thousands of cells through Maps was most of a large question's time.
 */
export class MergedSketch {
  private counts = new Float64Array(0);
  /** The key of `counts[0]`. */
  private offset = 0;
  private zeros = 0;
  private total = 0;

  /** Bins as the batches key them (DDSketch keys of durations, a dense range; not any int32). */
  static of(bins: SketchBins): MergedSketch {
    const sketch = new MergedSketch();
    for (const [key, count] of bins) sketch.add(key, count);
    return sketch;
  }

  add(key: number, count: number): void {
    this.total += count;
    if (key === ZERO_BIN) {
      this.zeros += count;
      return;
    }
    if (key < this.offset || key >= this.offset + this.counts.length) this.cover(key);
    this.counts[key - this.offset] += count;
  }

  addPacked(packed: Buffer): this {
    if (packed.length % PACKED_BIN_BYTES !== 0) throw new Error(`a packed sketch of ${packed.length} bytes is not a whole number of bins`);
    const bins = packed.length / PACKED_BIN_BYTES;
    // Keys are in order: make room for the first and last at once.
    if (bins > 0) {
      const first = packed.readInt32LE(0) === ZERO_BIN && bins > 1 ? packed.readInt32LE(PACKED_BIN_BYTES) : packed.readInt32LE(0);
      const last = packed.readInt32LE((bins - 1) * PACKED_BIN_BYTES);
      if (first !== ZERO_BIN) this.cover(first);
      if (last !== ZERO_BIN) this.cover(last);
    }
    for (let offset = 0; offset < packed.length; offset += PACKED_BIN_BYTES) this.add(packed.readInt32LE(offset), packed.readDoubleLE(offset + 4));
    return this;
  }

  addSketch(other: MergedSketch): this {
    if (other.total === 0) return this;
    this.total += other.zeros;
    this.zeros += other.zeros;
    for (let i = 0; i < other.counts.length; i++) if (other.counts[i] !== 0) this.add(other.offset + i, other.counts[i]);
    return this;
  }

  /** DDSketch's quantile rule (rank q·(n−1), zeros first, the bin's representative value), for ascending `qs`. */
  quantilesMs(qs: readonly number[]): Array<number | null> {
    if (this.total === 0) return qs.map(() => null);
    const answers: Array<number | null> = [];
    let seen = this.zeros;
    let i = -1; // -1: the zeros
    for (const q of qs) {
      const rank = q * (this.total - 1);
      while (seen <= rank && i < this.counts.length - 1) seen += this.counts[++i];
      answers.push(seen <= rank ? null : i < 0 ? 0 : Math.round(sketchMapping.value(this.offset + i) * 1000));
    }
    return answers;
  }

  /** Grows the dense range to hold `key`, with room to spare on that side. */
  private cover(key: number): void {
    if (this.counts.length === 0) {
      this.offset = key - 32;
      this.counts = new Float64Array(64);
      return;
    }
    if (key >= this.offset && key < this.offset + this.counts.length) return;
    const low = Math.min(this.offset, key - (key < this.offset ? 32 : 0));
    const high = Math.max(this.offset + this.counts.length, key + 1 + (key >= this.offset ? 32 : 0));
    const grown = new Float64Array(high - low);
    grown.set(this.counts, this.offset - low);
    this.counts = grown;
    this.offset = low;
  }
}

/** The quantile rule over one packed sketch (its bins are in key order, zeros first), for ascending `qs`. */
export function packedQuantilesMs(packed: Buffer, qs: readonly number[]): Array<number | null> {
  let total = 0;
  for (let offset = 4; offset < packed.length; offset += PACKED_BIN_BYTES) total += packed.readDoubleLE(offset);
  if (total === 0) return qs.map(() => null);
  const answers: Array<number | null> = [];
  let seen = 0;
  let offset = -PACKED_BIN_BYTES;
  for (const q of qs) {
    const rank = q * (total - 1);
    while (seen <= rank && offset + PACKED_BIN_BYTES < packed.length) {
      offset += PACKED_BIN_BYTES;
      seen += packed.readDoubleLE(offset + 4);
    }
    if (seen <= rank) answers.push(null);
    else {
      const key = packed.readInt32LE(offset);
      answers.push(key === ZERO_BIN ? 0 : Math.round(sketchMapping.value(key) * 1000));
    }
  }
  return answers;
}
