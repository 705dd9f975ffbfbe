import type { EntityManager } from 'typeorm';

import { tryLockTenantsShared } from '../processing/apply-interactions';
import { addPackedSketch, packSketch, type SketchBins } from './packed-sketch';

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
    const packed = packedNow.get(cellKey(row));
    const bins: SketchBins = packed ? addPackedSketch(new Map(), packed) : new Map();
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
