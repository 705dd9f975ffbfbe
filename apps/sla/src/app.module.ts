import { Module } from '@nestjs/common';

import { IdentityModule } from '@pw/identity';
import { KafkaHealthIndicator, KafkaModule } from '@pw/kafka';
import { PersistenceModule, PostgresHealthIndicator } from '@pw/persistence';
import { APP_CONFIG, AppConfigModule, HealthModule, loggingModule, SERVICE_VERSION } from '@pw/platform';

import { loadSlaConfig, type SlaConfig } from './config/sla.config';
import { slaDataSourceOptions } from './data-source';
import { PrometheusController } from './metrics/prometheus.controller';
import { FaultInjector } from './faults/fault-injector.service';
import { SketchFoldService } from './metrics/sketch-fold.service';
import { SlaPrometheus } from './metrics/sla-prometheus.service';
import { SlaOutboxRelay } from './outbox/sla-outbox.relay';
import { EngineRegistry } from './processing/engine-registry.service';
import { InteractionProcessingService } from './processing/interaction-processing.service';
import { InteractionsConsumer } from './processing/interactions.consumer';
import { ConversationQueriesService } from './queries/conversation-queries.service';
import { METRIC_ANSWERING, type MetricAnswering, MetricQueriesService } from './queries/metric-queries.service';
import { QueriesController } from './queries/queries.controller';
import { TenantConfigController } from './tenant-config/tenant-config.controller';
import { TenantConfigService } from './tenant-config/tenant-config.service';
import { TimerService } from './timers/timer.service';

@Module({
  providers: [FaultInjector, SlaOutboxRelay],
  exports: [FaultInjector, SlaOutboxRelay],
})
export class OutboxModule {}

@Module({
  imports: [OutboxModule],
  controllers: [TenantConfigController],
  providers: [TenantConfigService],
  exports: [TenantConfigService],
})
export class TenantConfigModule {}

@Module({
  controllers: [PrometheusController],
  providers: [SlaPrometheus],
  exports: [SlaPrometheus],
})
class PrometheusModule {}

/** Compiled engines per tenant and configuration version, shared by processing and the questions. */
@Module({
  imports: [TenantConfigModule],
  providers: [EngineRegistry],
  exports: [EngineRegistry],
})
export class EngineModule {}

@Module({
  imports: [OutboxModule, EngineModule, PrometheusModule],
  providers: [TimerService, InteractionProcessingService, InteractionsConsumer, SketchFoldService],
})
class ProcessingModule {}

/** The questions of team leads and ops dashboards: read-only, per tenant. */
@Module({
  imports: [EngineModule],
  controllers: [QueriesController],
  providers: [
    ConversationQueriesService,
    MetricQueriesService,
    { provide: METRIC_ANSWERING, useFactory: (c: SlaConfig): MetricAnswering => ({ databaseUrl: c.db.url, threads: c.metrics.answerThreads }), inject: [APP_CONFIG] },
  ],
})
class QueriesModule {}

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
    QueriesModule,
  ],
})
export class SlaAppModule {}
