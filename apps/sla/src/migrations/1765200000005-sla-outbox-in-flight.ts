import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The outbox relay's record of the batch it is sending (see OutboxRelay in @pw/kafka). */
export class SlaOutboxInFlight1765200000005 implements MigrationInterface {
  name = 'SlaOutboxInFlight1765200000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "sla"."outbox_in_flight" ("seqs" bigint[] NOT NULL, "since" timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "sla"."outbox_in_flight"`);
  }
}
