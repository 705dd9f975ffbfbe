import { Inject, Injectable } from '@nestjs/common';
import type { Kafka } from 'kafkajs';

import { APP_CONFIG } from '@pw/platform';
import { BatchConsumer, type ConsumedBatch, KAFKA_CLIENT, TOPICS } from '@pw/kafka';

import type { NotifierConfig } from '../config/notifier.config';
import { TenantConfigService } from './tenant-config.service';

/** tenant.config.v1 (compacted) → the notifier's copy of each tenant's configuration. */
@Injectable()
export class TenantConfigConsumer extends BatchConsumer {
  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    private readonly configs: TenantConfigService,
    @Inject(APP_CONFIG) config: NotifierConfig,
  ) {
    super(kafka, { groupId: 'notifier.tenant-config', topics: [TOPICS.tenantConfig], sessionTimeout: config.consumer.sessionTimeoutMs });
  }

  protected override async handleBatch({ messages }: ConsumedBatch): Promise<void> {
    for (const message of messages) {
      let record: { tenantId: string; version: number; document: Record<string, unknown> };
      try {
        record = JSON.parse(message.value?.toString('utf8') ?? '') as typeof record;
      } catch (error) {
        this.logger.warn(`skipping tenant.config.v1 record at offset ${message.offset}: ${(error as Error).message}`);
        continue;
      }
      // A failure to store is thrown: the batch is delivered again rather than lost.
      await this.configs.store(record.tenantId, record.version, record.document);
    }
  }
}
