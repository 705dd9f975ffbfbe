import { randomUUID } from 'node:crypto';

import type { Admin, Kafka, Producer } from 'kafkajs';

import { expectEventually } from '@pw/test-support';

import { BatchConsumer } from './batch-consumer';
import { createKafkaClient, ensureTopics } from './kafka.factory';

// The proof that kafkajs works against the pinned broker: topics with explicit partitions,
// an idempotent acks=all producer, consumer groups with batches, and a rebalance when a
// second member joins, with every record consumed and offsets committed after the work.
describe('kafkajs against the pinned Kafka broker', () => {
  const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
  const quiet = () => undefined;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const topic = `test.kafka-proof.${randomUUID()}`;

  beforeAll(async () => {
    kafka = createKafkaClient({ brokers, clientId: 'kafka-proof' }, quiet);
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 4, replicationFactor: 1 }]);
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates the topic with its partition count and grows it, never shrinks', async () => {
    const before = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(before.topics[0].partitions).toHaveLength(4);
    await ensureTopics(admin, [{ topic, numPartitions: 2, replicationFactor: 1 }]);
    const after = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(after.topics[0].partitions).toHaveLength(4);
  });

  it('delivers every record, in key order, across a rebalance between two group members', async () => {
    const groupId = `kafka-proof-${randomUUID()}`;
    const seen = new Map<string, number[]>();
    const members = new Set<string>();
    let total = 0;
    let resolveAll: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (resolveAll = resolve));
    const expected = 400;
    const keys = Array.from({ length: 20 }, (_, i) => `conversation-${i}`);
    const consumerFor = (name: string) =>
      new BatchConsumer(kafka, {
        groupId,
        topics: [topic],
        handle: async ({ messages }) => {
          members.add(name);
          for (const message of messages) {
            const key = message.key!.toString();
            const sequence = Number(message.value!.toString());
            const list = seen.get(key) ?? [];
            if (!list.includes(sequence)) {
              list.push(sequence);
              total++;
            }
            seen.set(key, list);
          }
          if (total >= expected) resolveAll();
        },
      });
    const first = consumerFor('first');
    await first.start();
    const send = async (from: number, to: number) => {
      const messages = [];
      for (let n = from; n < to; n++) messages.push({ key: keys[n % keys.length], value: String(n) });
      await producer.send({ topic, acks: -1, messages });
    };
    await send(0, 200);
    const second = consumerFor('second');
    await second.start(); // joining forces a rebalance of the group
    await send(200, expected);
    await all;
    const committed = async () => {
      const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
      return offsets[0].partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    };
    await expectEventually(async () => expect(await committed()).toBe(expected));
    await first.stop();
    await second.stop();

    expect(total).toBe(expected);
    for (const [, sequences] of seen) {
      // Within a key (one partition) records arrive in the order they were produced.
      const firstSeen = sequences.filter((value, index) => sequences.indexOf(value) === index);
      expect(firstSeen).toEqual([...firstSeen].sort((a, b) => a - b));
    }
    // After the rebalance both members own partitions.
    expect([...members].sort()).toEqual(['first', 'second']);
  });

  it('moves on after each batch: a backlog larger than one fetch is delivered once, in order', async () => {
    // Over 1 MiB in one partition: more than kafkajs fetches at a time from it.
    const groupId = `kafka-proof-${randomUUID()}`;
    const expected = 3000;
    const padding = 'x'.repeat(1000);
    for (let from = 0; from < expected; from += 500) {
      await producer.send({ topic, acks: -1, messages: Array.from({ length: 500 }, (_, i) => ({ key: 'one-key', value: `${from + i}:${padding}` })) });
    }
    const delivered: number[] = [];
    let resolveAll: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (resolveAll = resolve));
    const consumer = new BatchConsumer(kafka, {
      groupId,
      topics: [topic],
      handle: async ({ messages }) => {
        for (const message of messages) {
          const sequence = Number(message.value!.toString().split(':')[0]);
          // The earlier test's records share the topic; only this test's are counted.
          if (message.value!.toString().includes(padding)) delivered.push(sequence);
        }
        if (delivered.length >= expected) resolveAll();
      },
    });
    await consumer.start();
    await all;
    await consumer.stop();
    // Without moving the fetch position each batch would come again: every record exactly once.
    expect(delivered).toEqual(Array.from({ length: expected }, (_, i) => i));
  });
});
