import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox relay's record of the batch it is sending (see OutboxRelay in @pw/kafka). */
export class IntakeOutboxInFlight1765200000003 implements MigrationInterface {
  name = 'IntakeOutboxInFlight1765200000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "intake"."outbox_in_flight" ("seqs" bigint[] NOT NULL, "since" timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "intake"."outbox_in_flight"`);
  }
}
