import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

import { APP_CONFIG } from '@pw/platform';
import type { CalendarDefinition } from '@pw/sla-engine';

import type { NotifierConfig } from '../config/notifier.config';
import type { Ladder } from '../escalations/ladder.util';

export interface ContactDocument {
  id: string;
  webhook?: { url: string; secret?: string; format?: 'standard' | 'slack' };
  email?: string[];
}

interface TenantDocument {
  calendars?: CalendarDefinition[];
  contacts?: ContactDocument[];
  escalations?: Ladder[];
}

/** How long a tenant's document is cached: another instance may have stored a newer version. */
const CACHE_TTL_MS = 5_000;

/** The notifier's copy of each tenant's configuration, fed from tenant.config.v1. */
@Injectable()
export class TenantConfigService {
  private readonly cache = new Map<string, { version: number; document: TenantDocument; loadedAt: number }>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: NotifierConfig,
  ) {}

  /** Stores a version unless a newer one is already there (records may arrive twice). */
  async store(tenantId: string, version: number, document: Record<string, unknown>): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO notifier.tenant_configs (tenant_id, version, document, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (tenant_id) DO UPDATE SET version = EXCLUDED.version, document = EXCLUDED.document, updated_at = now()
       WHERE notifier.tenant_configs.version < EXCLUDED.version`,
      [tenantId, version, JSON.stringify(document)],
    );
    this.cache.delete(tenantId);
  }

  /**
   * The tenant's document. Inside a transaction pass its manager: the lookup then uses the
   * transaction's connection instead of waiting for a second one from the pool (a pool full
   * of transactions that each wait for one more connection never moves).
   */
  async get(tenantId: string, manager?: Pick<EntityManager, 'query'>): Promise<{ version: number; document: TenantDocument } | undefined> {
    const cached = this.cache.get(tenantId);
    if (cached && Date.now() - cached.loadedAt < CACHE_TTL_MS) return cached;
    const rows: Array<{ version: number; document: TenantDocument }> = await (manager ?? this.dataSource).query(
      `SELECT version, document FROM notifier.tenant_configs WHERE tenant_id = $1`,
      [tenantId],
    );
    if (rows.length === 0) return undefined;
    const loaded = { ...rows[0], loadedAt: Date.now() };
    this.cache.set(tenantId, loaded);
    return loaded;
  }

  /** `${NAME}` placeholders (URLs, secrets) are resolved from the notifier's environment, only when used. */
  resolvePlaceholders(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_match, name: string) => this.config.secrets[name] ?? '');
  }
}
