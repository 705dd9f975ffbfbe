import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IntakeDeadLetters1764900000002 implements MigrationInterface {
  name = 'IntakeDeadLetters1764900000002';

  async up(q: QueryRunner): Promise<void> {
    // One row per record of interactions.v1 the Kafka door refused. A batch delivered again
    // (a crash before the offset commit, a rebalance) finds its records here and does not
    // dead-letter them twice. The record's timestamp is part of the key: if the topic is
    // ever re-created, its offsets start again at 0, and new records must not be taken for
    // old ones.
    await q.query(`CREATE TABLE "intake"."dead_letters" (
      "topic" text NOT NULL,
      "partition" integer NOT NULL,
      "offset" bigint NOT NULL,
      "record_timestamp" bigint NOT NULL,
      "reason" text NOT NULL,
      "dead_lettered_at" timestamptz NOT NULL,
      CONSTRAINT "dead_letters_pkey" PRIMARY KEY ("topic", "partition", "offset", "record_timestamp"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "intake"."dead_letters"`);
  }
}
