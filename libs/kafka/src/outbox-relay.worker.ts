/*
 * The body of an OutboxRelayThread (outbox-relay-thread.ts): an OutboxRelay with its own
 * PostgreSQL pool and its own idempotent producer, in a worker thread. Messages from the
 * parent: 'kick', 'stop'. To the parent: ready, and log lines.
 */
import 'reflect-metadata';

import { parentPort, workerData } from 'node:worker_threads';

import { createServiceDataSource } from '@pw/persistence';

import { createKafkaClient } from './kafka.factory';
import { KafkaProducerService } from './kafka.module';
import { OutboxRelay } from './outbox-relay';
import type { RelayThreadMessage, RelayWorkerData } from './outbox-relay-thread';

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('outbox-relay.worker runs only as a worker thread');
  const data = workerData as RelayWorkerData;
  const post = (message: RelayThreadMessage): void => port.postMessage(message);

  // Two connections: the one holding the relay lock, and one for VACUUM. The table is
  // `<schema>.outbox`; the service's migrations made it (none run here).
  const dataSource = createServiceDataSource({
    url: data.databaseUrl,
    schema: data.table.split('.')[0],
    entities: [],
    migrations: [],
    poolSize: 2,
    applicationName: data.applicationName,
  });
  await dataSource.initialize();
  // Through JSON: a log line's extra may hold what a thread message cannot carry (functions).
  const kafka = createKafkaClient(data.kafka, (level, message, extra) =>
    post({ type: 'kafka-log', level, message, extra: JSON.parse(JSON.stringify(extra)) as Record<string, unknown> }),
  );
  const producer = new KafkaProducerService(kafka);
  await producer.onModuleInit();
  const relay = new OutboxRelay(dataSource, producer, data.table, {
    ...data.options,
    warn: (message) => post({ type: 'log', level: 'warn', message }),
  });

  let stopping: Promise<void> | undefined;
  port.on('message', (message: 'kick' | 'stop') => {
    if (message === 'kick') relay.kick();
    else
      stopping ??= (async () => {
        await relay.stop();
        await producer.onApplicationShutdown();
        await dataSource.destroy();
        port.close();
      })();
  });
  relay.start();
  post({ type: 'ready' });
}

main().catch((error: unknown) => {
  parentPort?.postMessage({ type: 'log', level: 'error', message: `outbox relay thread failed: ${(error as Error).stack ?? String(error)}` } satisfies RelayThreadMessage);
  // Ends this thread only; the parent sees the exit and starts a new one.
  process.exit(1);
});
