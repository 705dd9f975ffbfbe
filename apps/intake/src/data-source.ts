import { createServiceDataSource } from '@pw/persistence';
import { OutboxRecordEntity } from '@pw/kafka';

import { loadIntakeConfig } from './config/intake.config';
import { AcceptedEventEntity } from './interactions/accepted-event.entity';
import { DeadLetterEntity } from './kafka-door/dead-letter.entity';
import { IntakeInit1764800000001 } from './migrations/1764800000001-intake-init';
import { IntakeDeadLetters1764900000002 } from './migrations/1764900000002-intake-dead-letters';
import { IntakeOutboxInFlight1765200000003 } from './migrations/1765200000003-intake-outbox-in-flight';

export const INTAKE_SCHEMA = 'intake';

export function intakeDataSourceOptions(url: string) {
  return {
    url,
    schema: INTAKE_SCHEMA,
    entities: [AcceptedEventEntity, OutboxRecordEntity, DeadLetterEntity],
    migrations: [IntakeInit1764800000001, IntakeDeadLetters1764900000002, IntakeOutboxInFlight1765200000003],
    applicationName: 'intake',
  };
}

/** For the TypeORM CLI (migration:generate / run / revert). */
export default createServiceDataSource(intakeDataSourceOptions(loadIntakeConfig(process.env).db.url));
