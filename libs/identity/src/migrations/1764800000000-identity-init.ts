import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IdentityInit1764800000000 implements MigrationInterface {
  name = 'IdentityInit1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "identity"."tenants" (
      "id" uuid PRIMARY KEY,
      "name" text NOT NULL,
      "rate_limit_per_second" integer NOT NULL DEFAULT 2000,
      "created_at" timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE UNIQUE INDEX "tenants_name_key" ON "identity"."tenants" ("name")`);
    await q.query(`CREATE TABLE "identity"."api_keys" (
      "id" uuid PRIMARY KEY,
      "tenant_id" uuid NOT NULL REFERENCES "identity"."tenants" ("id") ON DELETE CASCADE,
      "prefix" text NOT NULL,
      "hash" text NOT NULL,
      "scopes" text array NOT NULL,
      "label" text,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "revoked_at" timestamptz)`);
    await q.query(`CREATE UNIQUE INDEX "api_keys_prefix_key" ON "identity"."api_keys" ("prefix")`);
    await q.query(`CREATE INDEX "api_keys_tenant_id_idx" ON "identity"."api_keys" ("tenant_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "identity"."api_keys"`);
    await q.query(`DROP TABLE "identity"."tenants"`);
  }
}
