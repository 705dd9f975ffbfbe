import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { KafkaProducerService, OutboxRelay } from '@pw/kafka';

/** Publishes intake.outbox to interactions.accepted.v1 and interactions.dlq.v1. */
@Injectable()
export class IntakeOutboxRelay extends OutboxRelay {
  constructor(dataSource: DataSource, producer: KafkaProducerService) {
    super(dataSource, producer, 'intake.outbox', { batchSize: 1000, lingerMs: 5 });
  }
}
