import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';

import { BatchConsumer, KAFKA_CLIENT, TOPICS } from '@pw/kafka';

import type { SlaEventEnvelope } from './ladder.util';
import { EscalationsService } from './escalations.service';

/** sla.events.v1 → escalations. Offsets are committed after the PostgreSQL transaction. */
@Injectable()
export class SlaEventsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SlaEventsConsumer');
  private readonly consumer: BatchConsumer;

  constructor(@Inject(KAFKA_CLIENT) kafka: Kafka, escalations: EscalationsService) {
    this.consumer = new BatchConsumer(kafka, {
      groupId: 'notifier.escalations',
      topics: [TOPICS.slaEvents],
      handle: async ({ messages }) => {
        const envelopes: SlaEventEnvelope[] = [];
        for (const message of messages) {
          try {
            const parsed = JSON.parse(message.value?.toString('utf8') ?? '') as SlaEventEnvelope;
            if (parsed && typeof parsed.eventId === 'string' && typeof parsed.tenantId === 'string' && parsed.event?.type) envelopes.push(parsed);
            else this.logger.warn(`skipping a malformed sla.events.v1 record at offset ${message.offset}`);
          } catch {
            this.logger.warn(`skipping a non-JSON sla.events.v1 record at offset ${message.offset}`);
          }
        }
        await escalations.handleEvents(envelopes, new Date());
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
