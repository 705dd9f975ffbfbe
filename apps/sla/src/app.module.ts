import { Module } from '@nestjs/common';

import { IdentityModule } from '@pw/identity';
import { KafkaHealthIndicator, KafkaModule } from '@pw/kafka';
import { PersistenceModule, PostgresHealthIndicator } from '@pw/persistence';
import { APP_CONFIG, AppConfigModule, HealthModule, loggingModule, SERVICE_VERSION } from '@pw/platform';

import { loadSlaConfig, type SlaConfig } from './config/sla.config';
import { slaDataSourceOptions } from './data-source';
import { PrometheusController } from './metrics/prometheus.controller';
import { SlaPrometheus } from './metrics/sla-prometheus.service';
import { SlaOutboxRelay } from './outbox/sla-outbox.relay';
import { EngineRegistry } from './processing/engine-registry.service';
import { InteractionProcessingService } from './processing/interaction-processing.service';
import { InteractionsConsumer } from './processing/interactions.consumer';
import { TenantConfigController } from './tenant-config/tenant-config.controller';
import { TenantConfigService } from './tenant-config/tenant-config.service';
import { TimerService } from './timers/timer.service';

@Module({
  providers: [SlaOutboxRelay],
  exports: [SlaOutboxRelay],
})
class OutboxModule {}

@Module({
  imports: [OutboxModule],
  controllers: [TenantConfigController],
  providers: [TenantConfigService],
  exports: [TenantConfigService],
})
class TenantConfigModule {}

@Module({
  controllers: [PrometheusController],
  providers: [SlaPrometheus],
  exports: [SlaPrometheus],
})
class PrometheusModule {}

@Module({
  imports: [OutboxModule, TenantConfigModule, PrometheusModule],
  providers: [EngineRegistry, TimerService, InteractionProcessingService, InteractionsConsumer],
})
class ProcessingModule {}

@Module({
  imports: [
    AppConfigModule.forRoot(loadSlaConfig),
    loggingModule({ service: 'sla', version: SERVICE_VERSION }, (c: SlaConfig) => c.log, [APP_CONFIG]),
    PersistenceModule.forRoot((c: SlaConfig) => slaDataSourceOptions(c.db.url), [APP_CONFIG]),
    IdentityModule.forRoot((c: SlaConfig) => c.db.url, [APP_CONFIG]),
    KafkaModule.forRoot((c: SlaConfig) => c.kafka, [APP_CONFIG]),
    HealthModule.register({ indicators: [PostgresHealthIndicator, KafkaHealthIndicator] }),
    TenantConfigModule,
    ProcessingModule,
  ],
})
export class SlaAppModule {}
