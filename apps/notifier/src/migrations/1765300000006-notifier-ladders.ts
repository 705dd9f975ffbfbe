import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Repeats, acknowledgement with re-opening, retry windows and dead letters, contact tracking. */
export class NotifierLadders1765300000006 implements MigrationInterface {
  name = 'NotifierLadders1765300000006';

  async up(q: QueryRunner): Promise<void> {
    // step: the last step fired (levels, then repeats) in the current run; epoch: how many
    // times an ack timeout re-opened it; anchor_at: the instant of offset zero of the run.
    await q.query(`ALTER TABLE "notifier"."escalations"
      ADD "step" integer NOT NULL DEFAULT -1,
      ADD "epoch" integer NOT NULL DEFAULT 0,
      ADD "anchor_at" timestamptz,
      ADD "acknowledged_at" timestamptz,
      ADD "acknowledged_by" text,
      ADD "ack_note" text,
      ADD "reopened_at" timestamptz`);
    await q.query(`UPDATE "notifier"."escalations" SET "step" = "level", "anchor_at" = "opened_at"`);
    await q.query(`ALTER TABLE "notifier"."escalations" ALTER COLUMN "anchor_at" SET NOT NULL`);
    await q.query(`ALTER TABLE "notifier"."deliveries"
      ADD "first_attempt_at" timestamptz,
      ADD "redeliveries" integer NOT NULL DEFAULT 0`);
    await q.query(`CREATE INDEX "deliveries_tenant_status_idx" ON "notifier"."deliveries" ("tenant_id", "status")`);
    await q.query(`CREATE INDEX "deliveries_escalation_idx" ON "notifier"."deliveries" ("escalation_id")`);
    // The latest public reply per customer, so a contact that overtook the escalating event
    // (two topics, two consumers) still ends a silence or pattern escalation.
    await q.query(`CREATE TABLE "notifier"."customer_contacts" (
      "tenant_id" uuid NOT NULL,
      "customer_id" text NOT NULL,
      "last_public_reply_at" timestamptz NOT NULL,
      PRIMARY KEY ("tenant_id", "customer_id"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "notifier"."customer_contacts"`);
    await q.query(`DROP INDEX "notifier"."deliveries_escalation_idx"`);
    await q.query(`DROP INDEX "notifier"."deliveries_tenant_status_idx"`);
    await q.query(`ALTER TABLE "notifier"."deliveries" DROP COLUMN "redeliveries", DROP COLUMN "first_attempt_at"`);
    await q.query(`ALTER TABLE "notifier"."escalations" DROP COLUMN "reopened_at", DROP COLUMN "ack_note", DROP COLUMN "acknowledged_by",
      DROP COLUMN "acknowledged_at", DROP COLUMN "anchor_at", DROP COLUMN "epoch", DROP COLUMN "step"`);
  }
}
