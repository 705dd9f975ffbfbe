import { Kafka, logLevel, type Admin, type ITopicConfig, type LogEntry } from 'kafkajs';

import { TOPIC_SPECS } from './topics';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
}

export type LogSink = (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => void;

const defaultSink: LogSink = (level, message, extra) => {
  process.stderr.write(`${JSON.stringify({ level, time: Date.now(), msg: message, ...extra })}\n`);
};

/** A kafkajs client whose logs go out as JSON lines (warnings and errors only by default). */
export function createKafkaClient(options: KafkaConnectionOptions, sink: LogSink = defaultSink): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 100, retries: 8 },
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, ...extra } = log;
        // Error answers of single requests (a coordinator still loading…) are retried by
        // kafkajs itself: they are warnings until kafkajs gives up.
        const name =
          level === logLevel.ERROR && namespace !== 'Connection' ? 'error' : level <= logLevel.WARN ? 'warn' : level === logLevel.INFO ? 'info' : 'debug';
        sink(name, message, { component: `kafkajs.${namespace}`, ...extra });
      },
  });
}

/**
 * Creates missing topics with their partition counts and grows existing ones that have
 * fewer partitions than declared (Kafka cannot shrink a topic).
 */
export async function ensureTopics(admin: Admin, specs: ITopicConfig[] = TOPIC_SPECS): Promise<void> {
  let existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length > 0) {
    try {
      await admin.createTopics({ topics: missing, waitForLeaders: true });
    } catch (error) {
      // Another process may have created them at the same moment; only a topic still
      // missing afterwards is a failure.
      existing = new Set(await admin.listTopics());
      if (missing.some((spec) => !existing.has(spec.topic))) throw error;
    }
    existing = new Set(await admin.listTopics());
  }
  const present = specs.filter((spec) => existing.has(spec.topic));
  if (present.length === 0) return;
  const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.topic) });
  const grow = present
    .map((spec) => {
      const current = metadata.topics.find((topic) => topic.name === spec.topic)?.partitions.length ?? 0;
      return { topic: spec.topic, count: spec.numPartitions ?? 1, current };
    })
    .filter((entry) => entry.count > entry.current);
  if (grow.length > 0) await admin.createPartitions({ topicPartitions: grow.map(({ topic, count }) => ({ topic, count })) });
}
