import { randomUUID } from 'node:crypto';

import type { Kafka, KafkaMessage } from 'kafkajs';

/**
 * The last `lookback` records of every partition of a topic, as they are now. kafkajs has no
 * way to read a partition outside a consumer group, so a throw-away group is joined, seeks
 * each partition to its tail, reads up to the end offsets taken first, and is deleted.
 */
export async function readPartitionTails(kafka: Kafka, topic: string, lookback: number, timeoutMs = 60_000): Promise<Array<{ partition: number; message: KafkaMessage }>> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `outbox-reconcile-${randomUUID()}`;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const wanted = new Map<number, { from: bigint; end: bigint }>();
    for (const { partition, high, low } of offsets) {
      const end = BigInt(high);
      const start = BigInt(low);
      if (end > start) wanted.set(partition, { from: end - BigInt(lookback) > start ? end - BigInt(lookback) : start, end });
    }
    if (wanted.size === 0) return [];
    const found: Array<{ partition: number; message: KafkaMessage }> = [];
    const pending = new Set(wanted.keys());
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, resolveOffset }) => {
          const range = wanted.get(batch.partition);
          if (!range) return;
          for (const message of batch.messages) {
            const offset = BigInt(message.offset);
            if (offset >= range.from && offset < range.end) found.push({ partition: batch.partition, message });
            resolveOffset(message.offset);
            if (offset >= range.end - 1n) pending.delete(batch.partition);
          }
          if (pending.size === 0) done();
        },
      });
      // `run` joins the group asynchronously; a seek before that throws "not initialized".
      for (const [partition, { from }] of wanted) {
        for (let attempt = 0; ; attempt++) {
          try {
            consumer.seek({ topic, partition, offset: from.toString() });
            break;
          } catch (error) {
            if (attempt > 500 || !/not initialized/.test(String(error))) throw error;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        finished,
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`reading the tails of ${topic} took longer than ${timeoutMs} ms`)), timeoutMs))),
      ]).finally(() => clearTimeout(timer));
      return found;
    } finally {
      await consumer.disconnect().catch(() => undefined);
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
