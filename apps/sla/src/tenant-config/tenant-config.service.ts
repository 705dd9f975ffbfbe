import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { parse as parseYaml } from 'yaml';

import { type ConfigDocument, parseConfigText, type Problem, substituteEnv } from '@pw/contracts';
import { TOPICS } from '@pw/kafka';
import { APP_CONFIG } from '@pw/platform';

import type { SlaConfig } from '../config/sla.config';
import { SlaOutboxRelay } from '../outbox/sla-outbox.relay';

export type ConfigCheck = { ok: true; raw: Record<string, unknown>; document: ConfigDocument } | { ok: false; problems: Problem[] };

const SECRET_KEYS = new Set(['secret', 'password', 'token', 'apiKey']);

/** A copy of a document with every secret-looking value replaced, for API answers. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, SECRET_KEYS.has(key) ? '[redacted]' : redactSecrets(item)]),
    );
  }
  return value;
}

/**
 * Tenant configuration: validated whole, stored as a new version, published (through the
 * outbox) on tenant.config.v1 for the notifier. The document is stored as written, with
 * its `${ENV}` placeholders; they are resolved when it is loaded.
 */
@Injectable()
export class TenantConfigService {
  private readonly cache = new Map<string, { version: number; document: ConfigDocument }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: SlaOutboxRelay,
    @Inject(APP_CONFIG) private readonly config: SlaConfig,
  ) {}

  check(text: string): ConfigCheck {
    const parsed = parseConfigText(text);
    if (!parsed.ok) return parsed;
    const resolved = substituteEnv(parsed.document, this.config.secrets);
    if (!resolved.ok) return resolved;
    return { ok: true, raw: parseYaml(text) as Record<string, unknown>, document: resolved.document };
  }

  async store(tenantId: string, raw: Record<string, unknown>): Promise<number> {
    const version = await this.dataSource.transaction(async (manager) => {
      // One writer per tenant at a time, so versions are consecutive.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`config:${tenantId}`]);
      const [{ next }] = await manager.query(`SELECT coalesce(max(version), 0) + 1 AS next FROM sla.tenant_configs WHERE tenant_id = $1`, [tenantId]);
      await manager.query(`INSERT INTO sla.tenant_configs (tenant_id, version, document) VALUES ($1, $2, $3)`, [tenantId, next, JSON.stringify(raw)]);
      await manager.query(`INSERT INTO sla.outbox (topic, key, value) VALUES ($1, $2, $3)`, [
        TOPICS.tenantConfig,
        tenantId,
        JSON.stringify({ tenantId, version: next, document: raw }),
      ]);
      return next as number;
    });
    this.cache.delete(tenantId);
    this.relay.kick();
    return version;
  }

  async latestRaw(tenantId: string): Promise<{ version: number; document: Record<string, unknown> } | undefined> {
    const rows = await this.dataSource.query(
      `SELECT version, document FROM sla.tenant_configs WHERE tenant_id = $1 ORDER BY version DESC LIMIT 1`,
      [tenantId],
    );
    return rows[0];
  }

  /** The current version of each of these tenants' configurations (absent: none stored). */
  async currentVersions(tenantIds: string[]): Promise<Map<string, number>> {
    const rows: Array<{ tenant_id: string; version: number }> = await this.dataSource.query(
      `SELECT tenant_id, max(version) AS version FROM sla.tenant_configs WHERE tenant_id = ANY($1::uuid[]) GROUP BY tenant_id`,
      [tenantIds],
    );
    return new Map(rows.map((row) => [row.tenant_id, Number(row.version)]));
  }

  /** One version of a tenant's document, validated and with placeholders resolved; `undefined` if invalid now. */
  async version(tenantId: string, version: number): Promise<ConfigDocument | undefined> {
    const cached = this.cache.get(tenantId);
    if (cached && cached.version === version) return cached.document;
    const rows: Array<{ document: Record<string, unknown> }> = await this.dataSource.query(
      `SELECT document FROM sla.tenant_configs WHERE tenant_id = $1 AND version = $2`,
      [tenantId, version],
    );
    if (rows.length === 0) return undefined;
    const checked = this.check(JSON.stringify(rows[0].document));
    if (!checked.ok) return undefined;
    this.cache.set(tenantId, { version, document: checked.document });
    return checked.document;
  }

  /** The tenant's current document, validated and with placeholders resolved (cached). */
  async current(tenantId: string): Promise<{ version: number; document: ConfigDocument } | undefined> {
    const latest = await this.latestRaw(tenantId);
    if (!latest) return undefined;
    const cached = this.cache.get(tenantId);
    if (cached && cached.version === latest.version) return cached;
    const checked = this.check(JSON.stringify(latest.document));
    if (!checked.ok) return undefined;
    const entry = { version: latest.version, document: checked.document };
    this.cache.set(tenantId, entry);
    return entry;
  }
}
