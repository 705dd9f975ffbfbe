import { createServiceDataSource } from '@pw/persistence';
import { OutboxRecordEntity } from '@pw/kafka';

import { loadIntakeConfig } from './config/intake.config';
import { AcceptedEventEntity } from './interactions/accepted-event.entity';
import { ConsumedOffsetEntity } from './kafka-door/consumed-offset.entity';
import { IntakeInit1764800000001 } from './migrations/1764800000001-intake-init';
import { IntakeKafkaDoor1764900000002 } from './migrations/1764900000002-intake-kafka-door';

export const INTAKE_SCHEMA = 'intake';

export function intakeDataSourceOptions(url: string) {
  return {
    url,
    schema: INTAKE_SCHEMA,
    entities: [AcceptedEventEntity, OutboxRecordEntity, ConsumedOffsetEntity],
    migrations: [IntakeInit1764800000001, IntakeKafkaDoor1764900000002],
    applicationName: 'intake',
  };
}

/** For the TypeORM CLI (migration:generate / run / revert). */
export default createServiceDataSource(intakeDataSourceOptions(loadIntakeConfig(process.env).db.url));
