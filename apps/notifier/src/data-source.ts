import { createServiceDataSource } from '@pw/persistence';

import { loadNotifierConfig } from './config/notifier.config';
import { DeliveryEntity } from './deliveries/delivery.entity';
import { EscalationEntity } from './escalations/escalation.entity';
import { ProcessedEventEntity } from './escalations/processed-event.entity';
import { NotifierInit1764800000003 } from './migrations/1764800000003-notifier-init';
import { NotifierTenantConfigEntity } from './tenant-config/tenant-config.entity';

export const NOTIFIER_SCHEMA = 'notifier';

export function notifierDataSourceOptions(url: string) {
  return {
    url,
    schema: NOTIFIER_SCHEMA,
    entities: [NotifierTenantConfigEntity, ProcessedEventEntity, EscalationEntity, DeliveryEntity],
    migrations: [NotifierInit1764800000003],
    applicationName: 'notifier',
  };
}

/** For the TypeORM CLI (migration:generate / run / revert). */
export default createServiceDataSource(notifierDataSourceOptions(loadNotifierConfig(process.env).db.url));
