import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';

import type { HealthIndicator } from '@pw/platform';

import { createKafkaClient, ensureTopics, type KafkaConnectionOptions, type LogSink } from './kafka.factory';

/** kafkajs log lines through a Nest logger (the service's JSON logs). */
export function nestKafkaLogSink(logger: Logger): LogSink {
  return (level, message, extra) => {
    const line = `${message} ${JSON.stringify(extra)}`;
    if (level === 'error') logger.error(line);
    else if (level === 'warn') logger.warn(line);
    else logger.log(line);
  };
}

export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

/**
 * The one producer of a service: idempotent, `acks: all`, so a send resolves only once
 * the broker has the records durably, and a retried send is not written twice.
 */
@Injectable()
export class KafkaProducerService implements OnModuleInit, OnApplicationShutdown {
  private readonly producer: Producer;

  /** The client it was made from (the outbox relay reads partitions' tails with it). */
  constructor(@Inject(KAFKA_CLIENT) readonly kafka: Kafka) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  async onModuleInit(): Promise<void> {
    await this.producer.connect();
  }

  async send(topic: string, messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    await this.producer.send({ topic, messages, acks: -1, compression: CompressionTypes.None });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}

@Injectable()
export class KafkaHealthIndicator implements HealthIndicator {
  readonly name = 'kafka';
  constructor(@Inject(KAFKA_CLIENT) private readonly kafka: Kafka) {}
  async check(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
  }
}

@Injectable()
class TopicBootstrap implements OnModuleInit {
  constructor(@Inject(KAFKA_CLIENT) private readonly kafka: Kafka) {}
  async onModuleInit(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin);
    } finally {
      await admin.disconnect();
    }
  }
}

@Module({})
export class KafkaModule {
  static forRoot(connection: (...deps: never[]) => KafkaConnectionOptions, inject: unknown[] = []): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        {
          provide: KAFKA_CLIENT,
          inject: inject as never[],
          useFactory: (...deps: never[]) => createKafkaClient(connection(...deps), nestKafkaLogSink(new Logger('Kafka'))),
        },
        TopicBootstrap,
        KafkaProducerService,
        KafkaHealthIndicator,
      ],
      exports: [KAFKA_CLIENT, KafkaProducerService, KafkaHealthIndicator],
    };
  }
}
