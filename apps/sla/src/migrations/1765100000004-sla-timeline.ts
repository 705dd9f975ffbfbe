import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A conversation's timeline lists the interactions applied to it beside the output events;
 * replay applies each event under the configuration version the live run used for it.
 */
export class SlaTimeline1765100000004 implements MigrationInterface {
  name = 'SlaTimeline1765100000004';

  async up(q: QueryRunner): Promise<void> {
    // NULL: applied before versions were recorded; 0: the tenant had no valid configuration.
    await q.query(`ALTER TABLE "sla"."applied_events" ADD COLUMN "config_version" integer`);
    await q.query(`CREATE INDEX "applied_events_conversation_idx" ON "sla"."applied_events" ("tenant_id", ("event"->>'conversationId'), "seq")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "sla"."applied_events_conversation_idx"`);
    await q.query(`ALTER TABLE "sla"."applied_events" DROP COLUMN "config_version"`);
  }
}
