import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * A packed cell (`sla.metric_sketches`) holds its counters too, folded from
 * `sla.metric_counters` the way its bins are folded from `sla.metric_sketch_bins`
 * (metric-sketches.ts). NULL: no counters folded into the cell yet. The counter rows already
 * written stay where they are and the fold moves them, so nothing is rewritten on the way up
 * and every answer is the same before, during and after.
 *
 * Every sla instance must be stopped before this runs, either way: an instance of an earlier
 * version reads counters from `metric_counters` only and would miss the folded ones
 * (docs/operations.md, upgrading). The columns and the packed format are written out here, as
 * they are today, so that this file does not change with the code.
 */
const COLUMNS = [
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
];
const BATCH = 5_000;

/** Tag 1, the number of counters, then each counter as a zigzagged varint. */
function unpackCounters(packed: Buffer): number[] {
  let position = 1;
  const varint = () => {
    let value = 0;
    for (let scale = 1; ; scale *= 128) {
      const byte = packed[position++];
      value += (byte & 127) * scale;
      if (byte < 128) return value;
    }
  };
  if (packed[0] !== 1) throw new Error(`packed counters of format ${packed[0]}: this migration reverts format 1 only`);
  const counters = new Array<number>(COLUMNS.length).fill(0);
  for (let i = 0, count = varint(); i < count; i++) {
    const zigzagged = varint();
    counters[i] = zigzagged % 2 === 0 ? zigzagged / 2 : -(zigzagged + 1) / 2;
  }
  return counters;
}

type Row = { tenant_id: string; grain: string; dimension: string; bucket: Date; value: string; counters: Buffer };

export class SlaMetricCellsCounters1765500000008 implements MigrationInterface {
  name = 'SlaMetricCellsCounters1765500000008';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sla"."metric_sketches" ADD COLUMN "counters" bytea`);
  }

  /** The folded counters back into counter rows, added to any a batch wrote since; then the column goes. */
  async down(q: QueryRunner): Promise<void> {
    for (;;) {
      const rows: Row[] = await q.query(
        `SELECT tenant_id, grain, dimension, bucket, value, counters FROM sla.metric_sketches WHERE counters IS NOT NULL
          ORDER BY tenant_id, grain, dimension, bucket, value LIMIT ${BATCH}`,
      );
      if (rows.length === 0) break;
      const unpacked = rows.map((row) => unpackCounters(row.counters));
      const keys = [rows.map((r) => r.tenant_id), rows.map((r) => r.grain), rows.map((r) => r.bucket.toISOString()), rows.map((r) => r.dimension), rows.map((r) => r.value)];
      await q.query(
        `INSERT INTO sla.metric_counters AS c (tenant_id, grain, bucket, dimension, value, ${COLUMNS.map((column) => `"${column}"`).join(', ')})
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], ${COLUMNS.map((_, i) => `$${i + 6}::bigint[]`).join(', ')})
         ON CONFLICT (tenant_id, grain, dimension, bucket, value) DO UPDATE SET
           ${COLUMNS.map((column) => `"${column}" = c."${column}" + EXCLUDED."${column}"`).join(', ')}`,
        [...keys, ...COLUMNS.map((_, i) => unpacked.map((counters) => counters[i]))],
      );
      await q.query(
        `UPDATE sla.metric_sketches s SET counters = NULL
           FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[]) AS k(tenant_id, grain, bucket, dimension, value)
          WHERE (s.tenant_id, s.grain, s.bucket, s.dimension, s.value) = (k.tenant_id, k.grain, k.bucket, k.dimension, k.value)`,
        keys,
      );
    }
    await q.query(`ALTER TABLE "sla"."metric_sketches" DROP COLUMN "counters"`);
  }
}
