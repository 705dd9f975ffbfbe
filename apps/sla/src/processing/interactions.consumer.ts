import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';

import { parseInteractionEvent } from '@pw/contracts';
import { BatchConsumer, KAFKA_CLIENT, TOPICS } from '@pw/kafka';

import { type AcceptedInteraction, InteractionProcessingService } from './interaction-processing.service';

/** interactions.accepted.v1 → the engine, batch by batch; offsets after the transaction. */
@Injectable()
export class InteractionsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('InteractionsConsumer');
  private readonly consumer: BatchConsumer;

  constructor(@Inject(KAFKA_CLIENT) kafka: Kafka, processing: InteractionProcessingService) {
    this.consumer = new BatchConsumer(kafka, {
      groupId: 'sla.interactions',
      topics: [TOPICS.interactionsAccepted],
      handle: async ({ messages }) => {
        const records: AcceptedInteraction[] = [];
        for (const message of messages) {
          // Validated again against the contract: intake is trusted, but not blindly.
          try {
            const raw = JSON.parse(message.value?.toString('utf8') ?? '') as { tenantId?: unknown; event?: unknown };
            const parsed = parseInteractionEvent(raw.event);
            if (typeof raw.tenantId === 'string' && parsed.ok) records.push({ tenantId: raw.tenantId, event: parsed.event });
            else this.logger.warn(`skipping an invalid interactions.accepted.v1 record at offset ${message.offset}`);
          } catch {
            this.logger.warn(`skipping a non-JSON interactions.accepted.v1 record at offset ${message.offset}`);
          }
        }
        await processing.applyBatch(records);
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
