import { createServiceDataSource } from '@pw/persistence';
import { OutboxRecordEntity } from '@pw/kafka';

import { loadSlaConfig } from './config/sla.config';
import { SlaInit1764800000002 } from './migrations/1764800000002-sla-init';

import { AppliedEventEntity, EntityStateEntity } from './processing/entity-state.entity';
import { SlaTenantConfigEntity } from './tenant-config/tenant-config.entity';

export const SLA_SCHEMA = 'sla';

export function slaDataSourceOptions(url: string) {
  return {
    url,
    schema: SLA_SCHEMA,
    entities: [SlaTenantConfigEntity, EntityStateEntity, AppliedEventEntity, OutboxRecordEntity],
    migrations: [SlaInit1764800000002],
    applicationName: 'sla',
  };
}

/** For the TypeORM CLI (migration:generate / run / revert). */
export default createServiceDataSource(slaDataSourceOptions(loadSlaConfig(process.env).db.url));
