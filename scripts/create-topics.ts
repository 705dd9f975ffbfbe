// Creates the product's topics with their declared partition counts (idempotent).
import { createKafkaClient, ensureTopics, TOPIC_SPECS } from '@pw/kafka';

async function main(): Promise<void> {
  const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
  const kafka = createKafkaClient({ brokers, clientId: 'create-topics' }, (level, message) => {
    if (level === 'error') process.stderr.write(`[topics] ${message}\n`);
  });
  const admin = kafka.admin();
  // A broker that has just opened its port may still be electing its controller.
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.connect();
      await ensureTopics(admin);
      break;
    } catch (error) {
      if (attempt >= 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  const metadata = await admin.fetchTopicMetadata({ topics: TOPIC_SPECS.map((spec) => spec.topic) });
  await admin.disconnect();
  const summary = metadata.topics.map((topic) => `${topic.name}(${topic.partitions.length})`).join(' ');
  process.stderr.write(`[topics] ${summary}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[topics] failed: ${(error as Error).message}\n`);
  process.exit(1);
});
