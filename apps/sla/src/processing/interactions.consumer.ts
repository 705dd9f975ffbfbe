import { Inject, Injectable } from '@nestjs/common';
import type { Kafka } from 'kafkajs';

import { type AcceptedInteraction, parseInteractionEvent } from '@pw/contracts';
import { APP_CONFIG } from '@pw/platform';
import { BatchConsumer, type ConsumedBatch, KAFKA_CLIENT, TOPICS } from '@pw/kafka';

import type { SlaConfig } from '../config/sla.config';
import { InteractionProcessingService } from './interaction-processing.service';

/** interactions.accepted.v1 → the engine, batch by batch; offsets after the transaction. */
@Injectable()
export class InteractionsConsumer extends BatchConsumer {
  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    private readonly processing: InteractionProcessingService,
    @Inject(APP_CONFIG) config: SlaConfig,
  ) {
    super(kafka, {
      groupId: 'sla.interactions',
      topics: [TOPICS.interactionsAccepted],
      sessionTimeout: config.consumer.sessionTimeoutMs,
      partitionsConcurrently: config.consumer.partitionsConcurrently,
    });
  }

  protected override async handleBatch({ messages }: ConsumedBatch): Promise<void> {
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
    await this.processing.applyBatch(records);
  }
}
