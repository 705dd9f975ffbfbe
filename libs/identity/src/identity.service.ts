import { randomUUID } from 'node:crypto';

import type { DataSource } from 'typeorm';

import { ApiKeyEntity } from './api-key.entity';
import { generateApiKey, hashApiKey, hashesEqual, parseApiKey, SCOPES, type Scope } from './api-key.util';
import { TenantEntity } from './tenant.entity';

export interface Principal {
  tenantId: string;
  tenantName: string;
  keyId: string;
  scopes: Scope[];
  rateLimitPerSecond: number;
}

export class IdentityError extends Error {
  constructor(
    readonly code: 'tenant_exists' | 'tenant_not_found' | 'bad_tenant_name' | 'bad_scope' | 'key_not_found',
    message: string,
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a text has the shape of a tenant id (a UUID); says nothing about its existence. */
export function isTenantId(text: string): boolean {
  return UUID.test(text);
}
const TENANT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
// A verified key is remembered briefly so the hot path needs no query per request;
// a revocation therefore takes effect within this time.
const CACHE_TTL_MS = 10_000;

/** Tenants and their API keys (schema `identity`). */
export class IdentityService {
  private readonly cache = new Map<string, { principal: Principal | undefined; expiresAt: number }>();
  private readonly tenantCache = new Map<string, { exists: boolean; expiresAt: number }>();

  constructor(private readonly dataSource: DataSource) {}

  async createTenant(name: string, rateLimitPerSecond = 2000): Promise<TenantEntity> {
    if (!TENANT_NAME.test(name)) {
      throw new IdentityError('bad_tenant_name', `tenant name ${JSON.stringify(name)} must be 1-63 lowercase letters, digits or dashes`);
    }
    const repository = this.dataSource.getRepository(TenantEntity);
    if (await repository.findOneBy({ name })) throw new IdentityError('tenant_exists', `tenant ${name} already exists`);
    return repository.save(repository.create({ id: randomUUID(), name, rateLimitPerSecond }));
  }

  async findTenant(name: string): Promise<TenantEntity | null> {
    return this.dataSource.getRepository(TenantEntity).findOneBy({ name });
  }

  /** Creates a key; the returned `key` is the only time it is ever visible. */
  async createKey(tenantName: string, scopes: string[], label: string | null = null): Promise<{ id: string; key: string; scopes: Scope[] }> {
    const bad = scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
    if (scopes.length === 0 || bad.length > 0) {
      throw new IdentityError('bad_scope', `scope must be one or more of ${SCOPES.join(', ')}${bad.length ? `; got ${bad.join(', ')}` : ''}`);
    }
    const tenant = await this.findTenant(tenantName);
    if (!tenant) throw new IdentityError('tenant_not_found', `tenant ${tenantName} does not exist`);
    const generated = generateApiKey();
    const id = randomUUID();
    await this.dataSource.getRepository(ApiKeyEntity).insert({
      id,
      tenantId: tenant.id,
      prefix: generated.prefix,
      hash: generated.hash,
      scopes: scopes as Scope[],
      label,
      revokedAt: null,
    });
    return { id, key: generated.key, scopes: scopes as Scope[] };
  }

  async revokeKey(id: string): Promise<void> {
    const result = await this.dataSource.getRepository(ApiKeyEntity).update({ id }, { revokedAt: new Date() });
    if (!result.affected) throw new IdentityError('key_not_found', `key ${id} does not exist`);
    this.cache.clear();
  }

  /** Whether a tenant with this id exists (for the Kafka door's tenant header); cached briefly. */
  async tenantExists(id: string, nowMs: number): Promise<boolean> {
    if (!isTenantId(id)) return false;
    const cached = this.tenantCache.get(id);
    if (cached && cached.expiresAt > nowMs) return cached.exists;
    const exists = (await this.dataSource.getRepository(TenantEntity).countBy({ id })) > 0;
    if (this.tenantCache.size > 10_000) this.tenantCache.clear();
    this.tenantCache.set(id, { exists, expiresAt: nowMs + CACHE_TTL_MS });
    return exists;
  }

  /** The principal of a key, or undefined when the key is unknown, malformed or revoked. */
  async authenticate(key: string, nowMs: number): Promise<Principal | undefined> {
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > nowMs) return cached.principal;
    const principal = await this.lookup(key);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(key, { principal, expiresAt: nowMs + CACHE_TTL_MS });
    return principal;
  }

  private async lookup(key: string): Promise<Principal | undefined> {
    const parsed = parseApiKey(key);
    if (!parsed) return undefined;
    const rows: Array<{ id: string; hash: string; scopes: Scope[]; tenant_id: string; name: string; rate_limit_per_second: number }> =
      await this.dataSource.query(
        `SELECT k.id, k.hash, k.scopes, k.tenant_id, t.name, t.rate_limit_per_second
           FROM identity.api_keys k JOIN identity.tenants t ON t.id = k.tenant_id
          WHERE k.prefix = $1 AND k.revoked_at IS NULL`,
        [parsed.prefix],
      );
    const row = rows[0];
    if (!row || !hashesEqual(row.hash, hashApiKey(key))) return undefined;
    return { tenantId: row.tenant_id, tenantName: row.name, keyId: row.id, scopes: row.scopes, rateLimitPerSecond: row.rate_limit_per_second };
  }
}
