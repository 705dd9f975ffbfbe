import { Inject, Injectable, Module } from '@nestjs/common';

import { IdentityModule } from '@pw/identity';
import { KafkaHealthIndicator, KafkaModule } from '@pw/kafka';
import { PersistenceModule, PostgresHealthIndicator } from '@pw/persistence';
import { APP_CONFIG, AppConfigModule, HealthModule, loggingModule, RedisHealthIndicator, SERVICE_VERSION } from '@pw/platform';

import { EscalationQueriesService } from './api/escalation-queries.service';
import { EscalationsController } from './api/escalations.controller';
import { loadNotifierConfig, type NotifierConfig } from './config/notifier.config';
import { notifierDataSourceOptions } from './data-source';
import { DeliveriesService } from './deliveries/deliveries.service';
import { EscalationProcessors } from './escalations/escalations.processors';
import { EscalationsService } from './escalations/escalations.service';
import { PublicRepliesConsumer } from './escalations/public-replies.consumer';
import { SlaEventsConsumer } from './escalations/sla-events.consumer';
import { QueuesService } from './queues/queues.service';
import { TenantConfigConsumer } from './tenant-config/tenant-config.consumer';
import { TenantConfigService } from './tenant-config/tenant-config.service';

@Injectable()
class NotifierRedisHealth extends RedisHealthIndicator {
  constructor(@Inject(QueuesService) queues: QueuesService) {
    super(queues.connection);
  }
}

@Module({
  providers: [QueuesService, NotifierRedisHealth],
  exports: [QueuesService, NotifierRedisHealth],
})
class QueuesModule {}

@Module({
  imports: [QueuesModule],
  controllers: [EscalationsController],
  providers: [
    TenantConfigService,
    TenantConfigConsumer,
    EscalationsService,
    DeliveriesService,
    EscalationProcessors,
    SlaEventsConsumer,
    PublicRepliesConsumer,
    EscalationQueriesService,
  ],
})
class EscalationsModule {}

@Module({
  imports: [
    AppConfigModule.forRoot(loadNotifierConfig),
    loggingModule({ service: 'notifier', version: SERVICE_VERSION }, (c: NotifierConfig) => c.log, [APP_CONFIG]),
    PersistenceModule.forRoot((c: NotifierConfig) => notifierDataSourceOptions(c.db.url), [APP_CONFIG]),
    IdentityModule.forRoot((c: NotifierConfig) => c.db.url, [APP_CONFIG]),
    KafkaModule.forRoot((c: NotifierConfig) => c.kafka, [APP_CONFIG]),
    HealthModule.register({ imports: [QueuesModule], indicators: [PostgresHealthIndicator, KafkaHealthIndicator, NotifierRedisHealth] }),
    EscalationsModule,
  ],
})
export class NotifierAppModule {}
