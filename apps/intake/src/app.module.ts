import { Module } from '@nestjs/common';

import { IdentityModule } from '@pw/identity';
import { KafkaHealthIndicator, KafkaModule } from '@pw/kafka';
import { PersistenceModule, PostgresHealthIndicator } from '@pw/persistence';
import { APP_CONFIG, AppConfigModule, HealthModule, loggingModule, SERVICE_VERSION } from '@pw/platform';

import { type IntakeConfig, loadIntakeConfig } from './config/intake.config';
import { intakeDataSourceOptions } from './data-source';
import { InteractionsModule } from './interactions/interactions.module';
import { KafkaDoorModule } from './kafka-door/kafka-door.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { IntakeRedisHealth } from './rate-limit/tenant-rate-limiter.service';

@Module({
  imports: [
    AppConfigModule.forRoot(loadIntakeConfig),
    loggingModule({ service: 'intake', version: SERVICE_VERSION }, (c: IntakeConfig) => c.log, [APP_CONFIG]),
    PersistenceModule.forRoot((c: IntakeConfig) => intakeDataSourceOptions(c.db.url), [APP_CONFIG]),
    IdentityModule.forRoot((c: IntakeConfig) => c.db.url, [APP_CONFIG]),
    KafkaModule.forRoot((c: IntakeConfig) => c.kafka, [APP_CONFIG]),
    HealthModule.register({ imports: [RateLimitModule], indicators: [PostgresHealthIndicator, KafkaHealthIndicator, IntakeRedisHealth] }),
    InteractionsModule,
    KafkaDoorModule,
  ],
})
export class IntakeAppModule {}
