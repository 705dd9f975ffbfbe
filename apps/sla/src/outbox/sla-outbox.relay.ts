import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { KafkaProducerService, OutboxRelay } from '@pw/kafka';

import { FaultInjector } from '../faults/fault-injector.service';

/** Publishes sla.outbox to sla.events.v1 and tenant.config.v1. */
@Injectable()
export class SlaOutboxRelay extends OutboxRelay {
  constructor(dataSource: DataSource, producer: KafkaProducerService, faults: FaultInjector) {
    super(dataSource, producer, 'sla.outbox', { batchSize: 1000, afterSend: () => faults.reached('kill-after-publish') });
  }
}
