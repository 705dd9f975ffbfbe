import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * Batches append their metric deltas instead of upserting them into one row per cell (and
 * bin). With one row per cell, two batches of different partitions that touch the same cell
 * (the same hour of the same team: most of them) queue on its row lock until the first
 * commits, so partitions cannot be applied side by side. The fold and the questions sum the
 * rows of a cell anyway; the primary keys give way to plain indexes on the cell, which the
 * questions' range scans and the fold use.
 *
 * Nothing is rewritten on the way up. On the way down each cell's rows are summed back into
 * one before the primary keys return. The columns are written out here, as they are today, so
 * that this file does not change with the code.
 */
const COUNTERS = [
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
].map((column) => `"${column}"`);

export class SlaMetricDeltasAppended1765600000009 implements MigrationInterface {
  name = 'SlaMetricDeltasAppended1765600000009';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sla"."metric_counters" DROP CONSTRAINT "metric_counters_pkey"`);
    await q.query(`CREATE INDEX "metric_counters_cell_idx" ON "sla"."metric_counters" ("tenant_id", "grain", "dimension", "bucket", "value")`);
    await q.query(`ALTER TABLE "sla"."metric_sketch_bins" DROP CONSTRAINT "metric_sketch_bins_pkey"`);
    await q.query(`CREATE INDEX "metric_sketch_bins_cell_idx" ON "sla"."metric_sketch_bins" ("tenant_id", "grain", "dimension", "bucket", "value")`);
  }

  async down(q: QueryRunner): Promise<void> {
    // One statement each: the rows deleted and their sums inserted see the same snapshot.
    await q.query(
      `WITH appended AS (DELETE FROM sla.metric_counters RETURNING *)
       INSERT INTO sla.metric_counters (tenant_id, grain, dimension, bucket, value, ${COUNTERS.join(', ')})
       SELECT tenant_id, grain, dimension, bucket, value, ${COUNTERS.map((column) => `sum(${column})`).join(', ')}
         FROM appended GROUP BY tenant_id, grain, dimension, bucket, value`,
    );
    await q.query(`DROP INDEX "sla"."metric_counters_cell_idx"`);
    await q.query(`ALTER TABLE "sla"."metric_counters" ADD CONSTRAINT "metric_counters_pkey" PRIMARY KEY ("tenant_id", "grain", "dimension", "bucket", "value")`);
    await q.query(
      `WITH appended AS (DELETE FROM sla.metric_sketch_bins RETURNING *)
       INSERT INTO sla.metric_sketch_bins (tenant_id, grain, dimension, bucket, value, bin, count)
       SELECT tenant_id, grain, dimension, bucket, value, bin, sum(count) FROM appended GROUP BY tenant_id, grain, dimension, bucket, value, bin`,
    );
    await q.query(`DROP INDEX "sla"."metric_sketch_bins_cell_idx"`);
    await q.query(
      `ALTER TABLE "sla"."metric_sketch_bins" ADD CONSTRAINT "metric_sketch_bins_pkey" PRIMARY KEY ("tenant_id", "grain", "dimension", "bucket", "value", "bin")`,
    );
  }
}
