import { Inject, Injectable } from '@nestjs/common';
import type { Kafka } from 'kafkajs';

import { BatchConsumer, type ConsumedBatch, KAFKA_CLIENT, TOPICS } from '@pw/kafka';
import { APP_CONFIG } from '@pw/platform';

import type { IntakeConfig } from '../config/intake.config';
import { KafkaDoorService } from './kafka-door.service';

/** interactions.v1 → the Kafka door; offsets are committed after its transaction. */
@Injectable()
export class InteractionsKafkaConsumer extends BatchConsumer {
  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: IntakeConfig,
    private readonly door: KafkaDoorService,
  ) {
    super(kafka, { groupId: 'intake.interactions', topics: [TOPICS.interactions] });
  }

  override async onApplicationBootstrap(): Promise<void> {
    if (this.config.kafkaDoor.enabled) await super.onApplicationBootstrap();
  }

  protected override async handleBatch(batch: ConsumedBatch): Promise<void> {
    await this.door.handleBatch(batch, new Date());
  }
}
