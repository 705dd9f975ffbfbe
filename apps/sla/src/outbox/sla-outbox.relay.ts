import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { KafkaProducerService, OutboxRelay } from '@pw/kafka';

/** Publishes sla.outbox to sla.events.v1 and tenant.config.v1 (see OutboxRelay). */
@Injectable()
export class SlaOutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly relay: OutboxRelay;

  constructor(dataSource: DataSource, producer: KafkaProducerService) {
    this.relay = new OutboxRelay(dataSource, producer, 'sla.outbox', { batchSize: 1000 });
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  kick(): void {
    this.relay.kick();
  }

  backlog(): Promise<number> {
    return this.relay.backlog();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}
