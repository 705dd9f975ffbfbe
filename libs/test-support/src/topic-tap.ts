import { randomUUID } from 'node:crypto';

import { type Consumer, type IHeaders, Kafka, logLevel } from 'kafkajs';

export interface TappedRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/**
 * Records everything written to a topic from the moment it is opened: it reads the end
 * offsets first and seeks there, so nothing written after `open` returns is missed and
 * nothing older is seen. For tests that check what a service published.
 */
export class TopicTap {
  readonly records: TappedRecord[] = [];

  private constructor(private readonly consumer: Consumer) {}

  static async open(topic: string, brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',')): Promise<TopicTap> {
    const kafka = new Kafka({ clientId: 'topic-tap', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId: `topic-tap-${randomUUID()}`, maxWaitTimeInMs: 50 });
    const tap = new TopicTap(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: false });
    let joined: () => void = () => undefined;
    const joinedGroup = new Promise<void>((resolve) => (joined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        tap.records.push({ partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers ?? {} });
      },
    });
    // `run` creates the consumer group asynchronously (later on a broker that has just started);
    // a seek before that throws, a seek after it is applied when the group is joined.
    for (const { partition, offset } of ends) {
      for (let attempt = 0; ; attempt++) {
        try {
          consumer.seek({ topic, partition, offset });
          break;
        } catch (error) {
          if (attempt > 500 || !/not initialized/.test(String(error))) throw error;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    }
    await joinedGroup;
    return tap;
  }

  /** Records whose value is JSON, parsed. */
  json<T>(): T[] {
    return this.records.map((record) => JSON.parse(record.value?.toString('utf8') ?? 'null') as T);
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}
