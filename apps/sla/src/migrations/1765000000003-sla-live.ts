import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the live service needs beside the engine state: the columns the questions filter on,
 * the retained event history (replay), the timeline of output events (which is also the
 * ledger that keeps an output from being published twice), finished clocks (outliers) and
 * the incrementally maintained metric aggregates.
 */
export class SlaLive1765000000003 implements MigrationInterface {
  name = 'SlaLive1765000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "sla"."entities"
      ADD COLUMN "customer_id" text,
      ADD COLUMN "team" text,
      ADD COLUMN "open_due_at" timestamptz`);
    // At risk: running clocks and open commitments by their earliest due instant.
    await q.query(`CREATE INDEX "entities_open_due_at_idx" ON "sla"."entities" ("tenant_id", "open_due_at") WHERE "open_due_at" IS NOT NULL`);
    await q.query(`CREATE INDEX "entities_customer_idx" ON "sla"."entities" ("tenant_id", "customer_id") WHERE "kind" = 'conversation'`);

    await q.query(`ALTER TABLE "sla"."applied_events"
      ADD COLUMN "seq" bigint GENERATED ALWAYS AS IDENTITY,
      ADD COLUMN "received_at" timestamptz,
      ADD COLUMN "event" jsonb`);
    await q.query(`CREATE INDEX "applied_events_replay_idx" ON "sla"."applied_events" ("tenant_id", "seq")`);

    await q.query(`CREATE TABLE "sla"."output_events" (
      "seq" bigserial NOT NULL,
      "tenant_id" uuid NOT NULL,
      "event_id" uuid NOT NULL,
      "type" text NOT NULL,
      "at" timestamptz NOT NULL,
      "conversation_id" text,
      "customer_id" text NOT NULL,
      "body" jsonb NOT NULL,
      CONSTRAINT "output_events_pkey" PRIMARY KEY ("tenant_id", "event_id"))`);
    await q.query(`CREATE INDEX "output_events_conversation_idx" ON "sla"."output_events" ("tenant_id", "conversation_id", "seq")`);
    await q.query(`CREATE INDEX "output_events_customer_idx" ON "sla"."output_events" ("tenant_id", "customer_id", "seq")`);

    await q.query(`CREATE TABLE "sla"."finished_clocks" (
      "tenant_id" uuid NOT NULL,
      "conversation_id" text NOT NULL,
      "metric" text NOT NULL,
      "cycle" integer NOT NULL,
      "customer_id" text NOT NULL,
      "policy" text NOT NULL,
      "team" text,
      "agent" text,
      "channel" text,
      "priority" text NOT NULL,
      "verdict" text NOT NULL,
      "on_time" boolean,
      "breached" boolean NOT NULL,
      "started_at" timestamptz NOT NULL,
      "due_at" timestamptz,
      "finished_at" timestamptz NOT NULL,
      "counted_ms" bigint NOT NULL,
      "target_ms" bigint NOT NULL,
      CONSTRAINT "finished_clocks_pkey" PRIMARY KEY ("tenant_id", "conversation_id", "metric", "cycle"))`);
    await q.query(`CREATE INDEX "finished_clocks_overrun_idx" ON "sla"."finished_clocks" ("tenant_id", "metric", ("counted_ms" - "target_ms") DESC)`);

    // Counters per tenant, bucket (an hour and a UTC day), dimension (team, agent, …) and value.
    await q.query(`CREATE TABLE "sla"."metric_counters" (
      "tenant_id" uuid NOT NULL,
      "grain" text NOT NULL,
      "bucket" timestamptz NOT NULL,
      "dimension" text NOT NULL,
      "value" text NOT NULL,
      "clocks_finished" bigint NOT NULL DEFAULT 0,
      "clocks_met" bigint NOT NULL DEFAULT 0,
      "clocks_met_on_time" bigint NOT NULL DEFAULT 0,
      "clocks_breached" bigint NOT NULL DEFAULT 0,
      "clocks_cancelled" bigint NOT NULL DEFAULT 0,
      "counted_ms_sum" bigint NOT NULL DEFAULT 0,
      "provider_kept_on_time" bigint NOT NULL DEFAULT 0,
      "provider_kept_late" bigint NOT NULL DEFAULT 0,
      "provider_broken" bigint NOT NULL DEFAULT 0,
      "customer_kept_on_time" bigint NOT NULL DEFAULT 0,
      "customer_kept_late" bigint NOT NULL DEFAULT 0,
      "customer_broken" bigint NOT NULL DEFAULT 0,
      "detractors" bigint NOT NULL DEFAULT 0,
      CONSTRAINT "metric_counters_pkey" PRIMARY KEY ("tenant_id", "grain", "dimension", "bucket", "value"))`);
    // A DDSketch of counted time (met clocks) kept as bins: mergeable by summing counts.
    await q.query(`CREATE TABLE "sla"."metric_sketch_bins" (
      "tenant_id" uuid NOT NULL,
      "grain" text NOT NULL,
      "bucket" timestamptz NOT NULL,
      "dimension" text NOT NULL,
      "value" text NOT NULL,
      "bin" integer NOT NULL,
      "count" bigint NOT NULL,
      CONSTRAINT "metric_sketch_bins_pkey" PRIMARY KEY ("tenant_id", "grain", "dimension", "bucket", "value", "bin"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "sla"."metric_sketch_bins"`);
    await q.query(`DROP TABLE "sla"."metric_counters"`);
    await q.query(`DROP TABLE "sla"."finished_clocks"`);
    await q.query(`DROP TABLE "sla"."output_events"`);
    await q.query(`DROP INDEX "sla"."applied_events_replay_idx"`);
    await q.query(`ALTER TABLE "sla"."applied_events" DROP COLUMN "event", DROP COLUMN "received_at", DROP COLUMN "seq"`);
    await q.query(`DROP INDEX "sla"."entities_customer_idx"`);
    await q.query(`DROP INDEX "sla"."entities_open_due_at_idx"`);
    await q.query(`ALTER TABLE "sla"."entities" DROP COLUMN "open_due_at", DROP COLUMN "team", DROP COLUMN "customer_id"`);
  }
}
