import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SlaInit1764800000002 implements MigrationInterface {
  name = 'SlaInit1764800000002';

  async up(q: QueryRunner): Promise<void> {
    // Every version a tenant stored; the highest applies from its creation on.
    await q.query(`CREATE TABLE "sla"."tenant_configs" (
      "tenant_id" uuid NOT NULL,
      "version" integer NOT NULL,
      "document" jsonb NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "tenant_configs_pkey" PRIMARY KEY ("tenant_id", "version"))`);
    await q.query(`CREATE TABLE "sla"."applied_events" (
      "tenant_id" uuid NOT NULL,
      "source" text NOT NULL,
      "event_id" text NOT NULL,
      CONSTRAINT "applied_events_pkey" PRIMARY KEY ("tenant_id", "source", "event_id"))`);
    // Engine state, one row per entity (conversation or customer), with its next due instant.
    await q.query(`CREATE TABLE "sla"."entities" (
      "tenant_id" uuid NOT NULL,
      "kind" text NOT NULL,
      "entity_id" text NOT NULL,
      "state" jsonb NOT NULL,
      "next_due_at" timestamptz,
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "entities_pkey" PRIMARY KEY ("tenant_id", "kind", "entity_id"))`);
    await q.query(`CREATE INDEX "entities_next_due_at_idx" ON "sla"."entities" ("next_due_at") WHERE "next_due_at" IS NOT NULL`);
    await q.query(`CREATE TABLE "sla"."outbox" (
      "seq" bigserial PRIMARY KEY,
      "topic" text NOT NULL,
      "key" text,
      "value" text NOT NULL,
      "headers" jsonb,
      "created_at" timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "sla"."outbox"`);
    await q.query(`DROP TABLE "sla"."entities"`);
    await q.query(`DROP TABLE "sla"."applied_events"`);
    await q.query(`DROP TABLE "sla"."tenant_configs"`);
  }
}
