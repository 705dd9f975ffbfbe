import { Inject, Injectable } from '@nestjs/common';
import type { Kafka } from 'kafkajs';

import { APP_CONFIG } from '@pw/platform';
import { BatchConsumer, type ConsumedBatch, KAFKA_CLIENT, TOPICS } from '@pw/kafka';

import type { NotifierConfig } from '../config/notifier.config';
import type { SlaEventEnvelope } from './ladder.util';
import { EscalationsService } from './escalations.service';

/** sla.events.v1 → escalations. Offsets are committed after the PostgreSQL transaction. */
@Injectable()
export class SlaEventsConsumer extends BatchConsumer {
  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    private readonly escalations: EscalationsService,
    @Inject(APP_CONFIG) config: NotifierConfig,
  ) {
    super(kafka, {
      groupId: 'notifier.escalations',
      topics: [TOPICS.slaEvents],
      sessionTimeout: config.consumer.sessionTimeoutMs,
      // Causes are keyed by conversation or customer, so partitions never share one.
      partitionsConcurrently: 3,
    });
  }

  protected override async handleBatch({ messages }: ConsumedBatch): Promise<void> {
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
    await this.escalations.handleEvents(envelopes, new Date());
  }
}
