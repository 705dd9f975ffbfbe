import type { MigrationInterface, QueryRunner } from 'typeorm';

import { addPackedSketch, packSketch, type SketchBins } from '../metrics/packed-sketch';

/*
 * Repacks `sla.metric_sketches` from the first packed format (12 bytes a bin: int32 key,
 * float64 count, little-endian, no head) into the compact one (tag 2, varints;
 * metric-sketches.ts): the largest questions read thousands of sketches, and their size was
 * most of the time. Rows are rewritten in batches in key order; both directions keep every
 * count. The first format is written out here, as it was, so that this file does not change
 * with the code.
 *
 * Every sla instance must be stopped before this runs: an instance of an earlier version
 * reads and folds sketches in the first format only (docs/operations.md, upgrading).
 */
const LEGACY_BIN_BYTES = 12;
const BATCH = 5_000;

function unpackLegacy(packed: Buffer): SketchBins {
  if (packed.length % LEGACY_BIN_BYTES !== 0) throw new Error(`a packed sketch of ${packed.length} bytes is not a whole number of 12-byte bins`);
  const bins: SketchBins = new Map();
  for (let offset = 0; offset < packed.length; offset += LEGACY_BIN_BYTES) {
    const key = packed.readInt32LE(offset);
    bins.set(key, (bins.get(key) ?? 0) + packed.readDoubleLE(offset + 4));
  }
  return bins;
}

function packLegacy(bins: SketchBins): Buffer {
  const keys = [...bins.keys()].filter((key) => (bins.get(key) ?? 0) !== 0).sort((a, b) => a - b);
  const packed = Buffer.alloc(keys.length * LEGACY_BIN_BYTES);
  keys.forEach((key, i) => {
    packed.writeInt32LE(key, i * LEGACY_BIN_BYTES);
    packed.writeDoubleLE(bins.get(key) as number, i * LEGACY_BIN_BYTES + 4);
  });
  return packed;
}

type Row = { tenant_id: string; grain: string; dimension: string; bucket: Date; value: string; bins: Buffer };

async function repack(q: QueryRunner, convert: (bins: Buffer) => Buffer): Promise<void> {
  let after: Row | null = null;
  for (;;) {
    const rows: Row[] = await q.query(
      `SELECT tenant_id, grain, dimension, bucket, value, bins FROM "sla"."metric_sketches"
        WHERE $1::boolean OR (tenant_id, grain, dimension, bucket, value) > ($2::uuid, $3::text, $4::text, $5::timestamptz, $6::text)
        ORDER BY tenant_id, grain, dimension, bucket, value LIMIT ${BATCH}`,
      after === null ? [true, null, null, null, null, null] : [false, after.tenant_id, after.grain, after.dimension, after.bucket.toISOString(), after.value],
    );
    if (rows.length === 0) return;
    await q.query(
      `UPDATE "sla"."metric_sketches" s SET bins = c.bins
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::bytea[]) AS c(tenant_id, grain, dimension, bucket, value, bins)
        WHERE (s.tenant_id, s.grain, s.dimension, s.bucket, s.value) = (c.tenant_id, c.grain, c.dimension, c.bucket, c.value)`,
      [
        rows.map((row) => row.tenant_id),
        rows.map((row) => row.grain),
        rows.map((row) => row.dimension),
        rows.map((row) => row.bucket.toISOString()),
        rows.map((row) => row.value),
        rows.map((row) => convert(row.bins)),
      ],
    );
    after = rows[rows.length - 1];
  }
}

export class SlaMetricSketchesCompact1765400000007 implements MigrationInterface {
  name = 'SlaMetricSketchesCompact1765400000007';

  async up(q: QueryRunner): Promise<void> {
    await repack(q, (bins) => packSketch(unpackLegacy(bins)));
  }

  async down(q: QueryRunner): Promise<void> {
    await repack(q, (bins) => packLegacy(addPackedSketch(new Map(), bins)));
  }
}
