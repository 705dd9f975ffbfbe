import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When the next step of an open escalation is due: the reconcile reads only those, not every open one. */
export class NotifierNextStep1765300000007 implements MigrationInterface {
  name = 'NotifierNextStep1765300000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "notifier"."escalations" ADD "next_step_at" timestamptz`);
    // Open escalations of earlier versions: due now, the reconcile sorts them out (a no-op when done).
    await q.query(`UPDATE "notifier"."escalations" SET "next_step_at" = now() WHERE "state" = 'open'`);
    await q.query(`CREATE INDEX "escalations_next_step_idx" ON "notifier"."escalations" ("next_step_at") WHERE "state" = 'open' AND "next_step_at" IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "notifier"."escalations_next_step_idx"`);
    await q.query(`ALTER TABLE "notifier"."escalations" DROP COLUMN "next_step_at"`);
  }
}
