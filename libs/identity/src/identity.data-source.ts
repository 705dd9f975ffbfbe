import { createServiceDataSource } from '@pw/persistence';

import { ApiKeyEntity } from './api-key.entity';
import { IdentityInit1764800000000 } from './migrations/1764800000000-identity-init';
import { TenantEntity } from './tenant.entity';

export const IDENTITY_SCHEMA = 'identity';

/** The identity schema (tenants, API keys) has its own small pool and its own migrations. */
export function createIdentityDataSource(url: string) {
  return createServiceDataSource({
    url,
    schema: IDENTITY_SCHEMA,
    entities: [TenantEntity, ApiKeyEntity],
    migrations: [IdentityInit1764800000000],
    poolSize: 4,
    applicationName: 'identity',
  });
}
