import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { KafkaProducerService, OutboxRelay } from '@pw/kafka';

/** Publishes sla.outbox to sla.events.v1 and tenant.config.v1. */
@Injectable()
export class SlaOutboxRelay extends OutboxRelay {
  constructor(dataSource: DataSource, producer: KafkaProducerService) {
    super(dataSource, producer, 'sla.outbox', { batchSize: 1000 });
  }
}
