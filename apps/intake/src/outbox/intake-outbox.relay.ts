import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { OutboxRelayThread } from '@pw/kafka';
import { APP_CONFIG } from '@pw/platform';

import type { IntakeConfig } from '../config/intake.config';

/**
 * Publishes intake.outbox to interactions.accepted.v1 and interactions.dlq.v1, from a thread of
 * its own so that encoding records for Kafka never holds an HTTP answer.
 */
@Injectable()
export class IntakeOutboxRelay extends OutboxRelayThread {
  constructor(dataSource: DataSource, @Inject(APP_CONFIG) config: IntakeConfig) {
    super(dataSource, {
      table: 'intake.outbox',
      databaseUrl: config.db.url,
      applicationName: 'intake-relay',
      kafka: { brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-relay` },
      options: { batchSize: 1000, lingerMs: 5 },
    });
  }
}
