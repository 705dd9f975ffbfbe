import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IntakeInit1764800000001 implements MigrationInterface {
  name = 'IntakeInit1764800000001';

  async up(q: QueryRunner): Promise<void> {
    // One row per accepted event, forever: the deduplication key of events.md.
    await q.query(`CREATE TABLE "intake"."accepted_events" (
      "tenant_id" uuid NOT NULL,
      "source" text NOT NULL,
      "event_id" text NOT NULL,
      "conversation_id" text NOT NULL,
      "received_at" timestamptz NOT NULL,
      CONSTRAINT "accepted_events_pkey" PRIMARY KEY ("tenant_id", "source", "event_id"))`);
    await q.query(`CREATE TABLE "intake"."outbox" (
      "seq" bigserial PRIMARY KEY,
      "topic" text NOT NULL,
      "key" text,
      "value" text NOT NULL,
      "headers" jsonb,
      "created_at" timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "intake"."outbox"`);
    await q.query(`DROP TABLE "intake"."accepted_events"`);
  }
}
