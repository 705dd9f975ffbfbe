import { createServiceDataSource } from '@pw/persistence';
import { OutboxRecordEntity } from '@pw/kafka';

import { loadIntakeConfig } from './config/intake.config';
import { AcceptedEventEntity } from './interactions/accepted-event.entity';
import { IntakeInit1764800000001 } from './migrations/1764800000001-intake-init';


export const INTAKE_SCHEMA = 'intake';

export function intakeDataSourceOptions(url: string) {
  return {
    url,
    schema: INTAKE_SCHEMA,
    entities: [AcceptedEventEntity, OutboxRecordEntity],
    migrations: [IntakeInit1764800000001],
    applicationName: 'intake',
  };
}

/** For the TypeORM CLI (migration:generate / run / revert). */
export default createServiceDataSource(intakeDataSourceOptions(loadIntakeConfig(process.env).db.url));
