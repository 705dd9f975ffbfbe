import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';

import { BatchConsumer, KAFKA_CLIENT, TOPICS } from '@pw/kafka';

import { TenantConfigService } from './tenant-config.service';

/** tenant.config.v1 (compacted) → the notifier's copy of each tenant's configuration. */
@Injectable()
export class TenantConfigConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TenantConfigConsumer');
  private readonly consumer: BatchConsumer;

  constructor(@Inject(KAFKA_CLIENT) kafka: Kafka, configs: TenantConfigService) {
    this.consumer = new BatchConsumer(kafka, {
      groupId: 'notifier.tenant-config',
      topics: [TOPICS.tenantConfig],
      handle: async ({ messages }) => {
        for (const message of messages) {
          try {
            const record = JSON.parse(message.value?.toString('utf8') ?? '') as { tenantId: string; version: number; document: Record<string, unknown> };
            await configs.store(record.tenantId, record.version, record.document);
          } catch (error) {
            this.logger.warn(`skipping tenant.config.v1 record at offset ${message.offset}: ${(error as Error).message}`);
          }
        }
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
