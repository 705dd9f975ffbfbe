import { createServiceDataSource } from '@pw/persistence';

import { loadNotifierConfig } from './config/notifier.config';
import { DeliveryEntity } from './deliveries/delivery.entity';
import { CustomerContactEntity } from './escalations/customer-contact.entity';
import { EscalationEntity } from './escalations/escalation.entity';
import { ProcessedEventEntity } from './escalations/processed-event.entity';
import { NotifierInit1764800000003 } from './migrations/1764800000003-notifier-init';
import { NotifierLadders1765300000006 } from './migrations/1765300000006-notifier-ladders';
import { NotifierNextStep1765300000007 } from './migrations/1765300000007-notifier-next-step';
import { NotifierTenantConfigEntity } from './tenant-config/tenant-config.entity';

export const NOTIFIER_SCHEMA = 'notifier';

export function notifierDataSourceOptions(url: string) {
  return {
    url,
    schema: NOTIFIER_SCHEMA,
    entities: [NotifierTenantConfigEntity, ProcessedEventEntity, EscalationEntity, DeliveryEntity, CustomerContactEntity],
    migrations: [NotifierInit1764800000003, NotifierLadders1765300000006, NotifierNextStep1765300000007],
    applicationName: 'notifier',
    // Step and delivery workers run side by side (10 + 50 by default): more than the default 10.
    poolSize: 25,
  };
}

/** For the TypeORM CLI (migration:generate / run / revert). */
export default createServiceDataSource(notifierDataSourceOptions(loadNotifierConfig(process.env).db.url));
