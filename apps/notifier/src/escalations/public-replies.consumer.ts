import { Inject, Injectable } from '@nestjs/common';
import type { Kafka } from 'kafkajs';

import { APP_CONFIG } from '@pw/platform';
import { BatchConsumer, type ConsumedBatch, KAFKA_CLIENT, TOPICS } from '@pw/kafka';

import type { NotifierConfig } from '../config/notifier.config';
import { EscalationsService } from './escalations.service';
import { isPublicReply } from './ladder.util';

/**
 * interactions.accepted.v1 → "the customer was contacted": the sla service publishes no
 * event when a silence ends, so the notifier watches public replies itself.
 */
@Injectable()
export class PublicRepliesConsumer extends BatchConsumer {
  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    private readonly escalations: EscalationsService,
    @Inject(APP_CONFIG) config: NotifierConfig,
  ) {
    super(kafka, { groupId: 'notifier.public-replies', topics: [TOPICS.interactionsAccepted], sessionTimeout: config.consumer.sessionTimeoutMs });
  }

  protected override async handleBatch({ messages }: ConsumedBatch): Promise<void> {
    const replies: Array<{ tenantId: string; customerId: string; at: Date }> = [];
    for (const message of messages) {
      try {
        const raw = JSON.parse(message.value?.toString('utf8') ?? '') as {
          tenantId?: unknown;
          event?: { kind?: unknown; direction?: unknown; automated?: unknown; customerId?: unknown; occurredAt?: unknown };
        };
        const event = raw.event;
        if (typeof raw.tenantId !== 'string' || !event || !isPublicReply(event)) continue;
        const at = new Date(String(event.occurredAt));
        if (typeof event.customerId === 'string' && !Number.isNaN(at.getTime())) replies.push({ tenantId: raw.tenantId, customerId: event.customerId, at });
      } catch {
        this.logger.warn(`skipping a non-JSON interactions.accepted.v1 record at offset ${message.offset}`);
      }
    }
    await this.escalations.handlePublicReplies(replies, new Date());
  }
}
