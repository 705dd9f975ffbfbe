import type { EntityManager } from 'typeorm';

import { tryLockTenantsShared } from '../processing/apply-interactions';
import { COUNTER_COLUMNS } from './metric-deltas';
import { addPackedCounters, addPackedSketch, packCounters, packSketch, type SketchBins } from './packed-sketch';

/*
 * A cell (tenant, grain, dimension, bucket, value) of the aggregates lives in three tables.
 * Batches append to `metric_counters` (a row per batch and cell) and `metric_sketch_bins` (a
 * row per batch, cell and bin): a plain insert, with no row that batches of other partitions
 * would wait on (migration 1765600000009). Reading those rows does
 * not scale: a month of days by team is 600 cells of a few hundred bins each, hundreds of
 * thousands of rows per question, and a month by agent 9,300 counter rows of fourteen fields.
 * So a fold moves them, in the background, into `metric_sketches`, one row per cell with its
 * bins and its counters packed (packed-sketch.ts), and a question reads a cell's packed row
 * plus whatever counters and bins have not been folded yet. The three tables together always
 * hold every count exactly once: a fold deletes the rows it moves and adds them to the packed
 * cell in one transaction.
 */

/** Only one fold at a time, across instances: two folds creating the same cell would lose counts. */
const FOLD_LOCK = `hashtextextended('sla-sketch-fold', 0)`;

export interface FoldResult {
  /** Bin rows moved into packed cells. */
  bins: number;
  /** Counter rows moved into packed cells. */
  counters: number;
  /** Packed cells written. */
  cells: number;
}

const NOTHING_FOLDED: FoldResult = Object.freeze({ bins: 0, counters: 0, cells: 0 });

type CellRow = { tenant_id: string; grain: string; dimension: string; bucket: Date; value: string };

const cellKey = (row: CellRow) => `${row.tenant_id}\u0000${row.grain}\u0000${row.dimension}\u0000${row.bucket.getTime()}\u0000${row.value}`;

/**
 * Folds up to `limit` bin rows and up to `limit` counter rows into the packed cells, in the
 * caller's transaction. Takes no row a batch holds (SKIP LOCKED) and no tenant under replay
 * (its shared lock, tried); does nothing while another fold runs.
 */
export async function foldMetricCells(manager: EntityManager, limit: number): Promise<FoldResult> {
  const [{ locked }]: Array<{ locked: boolean }> = await manager.query(`SELECT pg_try_advisory_xact_lock(${FOLD_LOCK}) AS locked`);
  if (!locked) return NOTHING_FOLDED;
  const candidates: Array<{ tenant_id: string }> = await manager.query(
    `SELECT DISTINCT tenant_id FROM (
       (SELECT tenant_id FROM sla.metric_sketch_bins LIMIT $1) UNION ALL (SELECT tenant_id FROM sla.metric_counters LIMIT $1)) b`,
    [limit],
  );
  if (candidates.length === 0) return NOTHING_FOLDED;
  const tenants = await tryLockTenantsShared(
    manager,
    candidates.map((row) => row.tenant_id),
  );
  if (tenants.size === 0) return NOTHING_FOLDED;

  // The moved bins, summed per cell in PostgreSQL: one row per cell comes back.
  const movedBins: Array<CellRow & { bins: number[]; counts: string[]; n: number }> = await manager.query(
    `WITH moved AS (
       DELETE FROM sla.metric_sketch_bins WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM sla.metric_sketch_bins WHERE tenant_id = ANY($1::uuid[]) LIMIT $2 FOR UPDATE SKIP LOCKED))
       RETURNING tenant_id, grain, dimension, bucket, value, bin, count)
     SELECT tenant_id, grain, dimension, bucket, value, array_agg(bin) AS bins, array_agg(count) AS counts, count(*)::int AS n
       FROM moved GROUP BY tenant_id, grain, dimension, bucket, value`,
    [[...tenants], limit],
  );
  // The moved counters, summed per cell the same way.
  const movedCounters: Array<CellRow & { counters: string[]; n: number }> = await manager.query(
    `WITH moved AS (
       DELETE FROM sla.metric_counters WHERE ctid = ANY(ARRAY(
         SELECT ctid FROM sla.metric_counters WHERE tenant_id = ANY($1::uuid[]) LIMIT $2 FOR UPDATE SKIP LOCKED))
       RETURNING *)
     SELECT tenant_id, grain, dimension, bucket, value,
            ARRAY[${COUNTER_COLUMNS.map((column) => `sum("${column}")`).join(', ')}]::text[] AS counters, count(*)::int AS n
       FROM moved GROUP BY tenant_id, grain, dimension, bucket, value`,
    [[...tenants], limit],
  );
  if (movedBins.length === 0 && movedCounters.length === 0) return NOTHING_FOLDED;

  const cells = new Map<string, { key: string; cell: CellRow; bins?: (typeof movedBins)[number]; counters?: string[] }>();
  for (const row of movedBins) cells.set(cellKey(row), { key: cellKey(row), cell: row, bins: row });
  for (const row of movedCounters) {
    const key = cellKey(row);
    const entry = cells.get(key);
    if (entry) entry.counters = row.counters;
    else cells.set(key, { key, cell: row, counters: row.counters });
  }
  const ordered = [...cells.values()];
  const columns = [
    ordered.map(({ cell }) => cell.tenant_id),
    ordered.map(({ cell }) => cell.grain),
    ordered.map(({ cell }) => cell.dimension),
    ordered.map(({ cell }) => cell.bucket.toISOString()),
    ordered.map(({ cell }) => cell.value),
  ];
  const existing: Array<CellRow & { bins: Buffer; counters: Buffer | null }> = await manager.query(
    `SELECT s.tenant_id, s.grain, s.dimension, s.bucket, s.value, s.bins, s.counters FROM sla.metric_sketches s
       JOIN unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[]) AS c(tenant_id, grain, dimension, bucket, value)
         USING (tenant_id, grain, dimension, bucket, value)
      ORDER BY s.tenant_id, s.grain, s.dimension, s.bucket, s.value FOR UPDATE OF s`,
    columns,
  );
  const packedNow = new Map(existing.map((row) => [cellKey(row), row]));
  const packedBins: Buffer[] = [];
  const packedCounters: Array<Buffer | null> = [];
  for (const { key, bins: moved, counters: movedCells } of ordered) {
    const now = packedNow.get(key);
    if (moved) {
      const bins: SketchBins = now ? addPackedSketch(new Map(), now.bins) : new Map();
      moved.bins.forEach((bin, j) => bins.set(bin, (bins.get(bin) ?? 0) + Number(moved.counts[j])));
      packedBins.push(packSketch(bins));
    } else packedBins.push(now?.bins ?? packSketch(new Map()));
    if (movedCells) {
      const counters = new Array<number>(COUNTER_COLUMNS.length).fill(0);
      if (now?.counters) addPackedCounters(counters, now.counters);
      movedCells.forEach((value, j) => (counters[j] += Number(value)));
      packedCounters.push(packCounters(counters));
    } else packedCounters.push(now?.counters ?? null);
  }
  await manager.query(
    `INSERT INTO sla.metric_sketches (tenant_id, grain, dimension, bucket, value, bins, counters)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::bytea[], $7::bytea[])
     ON CONFLICT (tenant_id, grain, dimension, bucket, value) DO UPDATE SET bins = EXCLUDED.bins, counters = EXCLUDED.counters`,
    [...columns, packedBins, packedCounters],
  );
  return { bins: movedBins.reduce((sum, row) => sum + row.n, 0), counters: movedCounters.reduce((sum, row) => sum + row.n, 0), cells: ordered.length };
}
