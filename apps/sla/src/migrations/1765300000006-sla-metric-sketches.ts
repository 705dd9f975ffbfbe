import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Packed sketches of counted time, one row per cell (tenant, grain, dimension, bucket, value):
 * the bins batches write to `metric_sketch_bins` are folded into them in the background, so
 * that a question reads one row per cell instead of one per bin (metric-sketches.ts).
 */
export class SlaMetricSketches1765300000006 implements MigrationInterface {
  name = 'SlaMetricSketches1765300000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "sla"."metric_sketches" (
      "tenant_id" uuid NOT NULL,
      "grain" text NOT NULL,
      "dimension" text NOT NULL,
      "bucket" timestamptz NOT NULL,
      "value" text NOT NULL,
      "bins" bytea NOT NULL,
      CONSTRAINT "metric_sketches_pkey" PRIMARY KEY ("tenant_id", "grain", "dimension", "bucket", "value"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Folded counts exist only here: dropping them silently would lose percentiles.
    const [{ folded }] = await q.query(`SELECT EXISTS (SELECT 1 FROM "sla"."metric_sketches") AS folded`);
    if (folded) {
      throw new Error('sla.metric_sketches holds folded sketches: delete its rows, revert, then replay each tenant (cli replay) to rebuild its bins');
    }
    await q.query(`DROP TABLE "sla"."metric_sketches"`);
  }
}
