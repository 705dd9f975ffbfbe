import type { MigrationInterface, QueryRunner } from 'typeorm';

export class NotifierInit1764800000003 implements MigrationInterface {
  name = 'NotifierInit1764800000003';

  async up(q: QueryRunner): Promise<void> {
    // The notifier's own copy of each tenant's configuration (from tenant.config.v1).
    await q.query(`CREATE TABLE "notifier"."tenant_configs" (
      "tenant_id" uuid PRIMARY KEY,
      "version" integer NOT NULL,
      "document" jsonb NOT NULL,
      "updated_at" timestamptz NOT NULL DEFAULT now())`);
    // sla.events.v1 records already handled (the relay may publish one twice).
    await q.query(`CREATE TABLE "notifier"."processed_events" (
      "event_id" text PRIMARY KEY,
      "processed_at" timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE TABLE "notifier"."escalations" (
      "id" uuid PRIMARY KEY,
      "tenant_id" uuid NOT NULL,
      "ladder_id" text NOT NULL,
      "cause_key" text NOT NULL,
      "state" text NOT NULL,
      "level" integer NOT NULL DEFAULT 0,
      "ladder" jsonb NOT NULL,
      "cause" jsonb NOT NULL,
      "opened_at" timestamptz NOT NULL,
      "resolved_at" timestamptz,
      "resolution" text)`);
    await q.query(`CREATE UNIQUE INDEX "escalations_one_open_per_cause" ON "notifier"."escalations" ("tenant_id", "ladder_id", "cause_key") WHERE "state" <> 'resolved'`);
    await q.query(`CREATE INDEX "escalations_tenant_state_idx" ON "notifier"."escalations" ("tenant_id", "state")`);
    await q.query(`CREATE TABLE "notifier"."deliveries" (
      "id" uuid PRIMARY KEY,
      "escalation_id" uuid NOT NULL REFERENCES "notifier"."escalations" ("id"),
      "tenant_id" uuid NOT NULL,
      "step" text NOT NULL,
      "contact_id" text NOT NULL,
      "channel" text NOT NULL,
      "target" text NOT NULL,
      "payload" text NOT NULL,
      "status" text NOT NULL,
      "attempts" integer NOT NULL DEFAULT 0,
      "last_error" text,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "delivered_at" timestamptz)`);
    await q.query(`CREATE UNIQUE INDEX "deliveries_step_contact_key" ON "notifier"."deliveries" ("escalation_id", "step", "contact_id", "channel", "target")`);
    await q.query(`CREATE INDEX "deliveries_pending_idx" ON "notifier"."deliveries" ("created_at") WHERE "status" = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "notifier"."deliveries"`);
    await q.query(`DROP TABLE "notifier"."escalations"`);
    await q.query(`DROP TABLE "notifier"."processed_events"`);
    await q.query(`DROP TABLE "notifier"."tenant_configs"`);
  }
}
