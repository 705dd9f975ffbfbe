import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IntakeKafkaDoor1764900000002 implements MigrationInterface {
  name = 'IntakeKafkaDoor1764900000002';

  async up(q: QueryRunner): Promise<void> {
    // The Kafka door's offset ledger: the next offset to read of each partition of
    // interactions.v1, written in the transaction that stores what the records produced.
    // A batch delivered again (a crash before the Kafka offset commit, a rebalance) is
    // skipped up to here, so its dead letters are not written twice.
    await q.query(`CREATE TABLE "intake"."consumed_offsets" (
      "topic" text NOT NULL,
      "partition" integer NOT NULL,
      "next_offset" bigint NOT NULL,
      CONSTRAINT "consumed_offsets_pkey" PRIMARY KEY ("topic", "partition"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "intake"."consumed_offsets"`);
  }
}
