import { Module } from '@nestjs/common';

import { IdentityModule } from '@pw/identity';
import { KafkaHealthIndicator, KafkaModule } from '@pw/kafka';
import { PersistenceModule, PostgresHealthIndicator } from '@pw/persistence';
import { APP_CONFIG, AppConfigModule, HealthModule, loggingModule, SERVICE_VERSION } from '@pw/platform';

import { type IntakeConfig, loadIntakeConfig } from './config/intake.config';
import { intakeDataSourceOptions } from './data-source';
import { InteractionsModule } from './interactions/interactions.module';

@Module({
  imports: [
    AppConfigModule.forRoot(loadIntakeConfig),
    loggingModule({ service: 'intake', version: SERVICE_VERSION }, (c: IntakeConfig) => c.log, [APP_CONFIG]),
    PersistenceModule.forRoot((c: IntakeConfig) => intakeDataSourceOptions(c.db.url), [APP_CONFIG]),
    IdentityModule.forRoot((c: IntakeConfig) => c.db.url, [APP_CONFIG]),
    KafkaModule.forRoot((c: IntakeConfig) => c.kafka, [APP_CONFIG]),
    HealthModule.register({ indicators: [PostgresHealthIndicator, KafkaHealthIndicator] }),
    InteractionsModule,
  ],
})
export class IntakeAppModule {}
