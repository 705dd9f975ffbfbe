/*
 * The notifier under load: sla.breached records on Kafka → escalation in PostgreSQL →
 * BullMQ step and delivery jobs on Redis → signed webhook at a local receiver (this process).
 *   npm run bench:notifier [-- --burst N --rate N --seconds N --concurrency N]
 * Prints: the latency from the record's publication to the webhook received (p50/p90/p99)
 * at a steady rate (by default 2,000 breaches/s, the goal's throughput) and under the burst;
 * deliveries/s for a burst of N breaches published at once; the notifier's peak RSS.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';

import { Kafka } from 'kafkajs';
import { Client } from 'pg';

import { createIdentityDataSource, IdentityService } from '@pw/identity';
import { initialiseAndMigrate } from '@pw/persistence';
import { startService } from '@pw/test-support';

const { values } = parseArgs({
  options: {
    burst: { type: 'string', default: '20000' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '100' },
    port: { type: 'string', default: '13203' },
  },
});
const BURST = Number(values.burst);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/promise_watch_bench';
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const run = randomUUID().slice(0, 8);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function main(): Promise<void> {
  // The receiver: records when each conversation's webhook arrived.
  const arrivals = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = Date.now();
      res.writeHead(204).end();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { cause: { conversationId: string } };
      const conversationId = body.cause.conversationId;
      if (!arrivals.has(conversationId)) arrivals.set(conversationId, at);
      waiters.get(conversationId)?.();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;

  const identityDataSource = createIdentityDataSource(databaseUrl);
  await initialiseAndMigrate(identityDataSource);
  const identity = new IdentityService(identityDataSource);
  const tenantId = (await identity.createTenant(`bench-notifier-${run}`)).id;
  await identityDataSource.destroy();

  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const notifier = await startService('notifier', Number(values.port), {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: brokers.join(','),
    NOTIFIER_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    NOTIFIER_DELIVERY_CONCURRENCY: values.concurrency,
    NOTIFIER_QUEUE_PREFIX: `bench-${run}`,
    LOG_LEVEL: 'warn',
    BENCH_HOOK: hookUrl,
    BENCH_SECRET: secret,
  });
  const kafka = new Kafka({ clientId: 'bench-notifier', brokers, logLevel: 1 });
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();

  try {
    await producer.send({
      topic: 'tenant.config.v1',
      messages: [
        {
          key: tenantId,
          value: JSON.stringify({
            tenantId,
            version: 1,
            document: {
              version: 1,
              contacts: [{ id: 'oncall', webhook: { url: '${BENCH_HOOK}', secret: '${BENCH_SECRET}' } }],
              escalations: [{ id: 'breach', on: ['sla.breached'], match: {}, levels: [{ after: '0m', notify: ['oncall'] }] }],
            },
          }),
        },
      ],
    });
    for (;;) {
      const { rows } = await db.query('SELECT 1 FROM notifier.tenant_configs WHERE tenant_id = $1', [tenantId]);
      if (rows.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const record = (conversationId: string) => ({
      key: conversationId,
      value: JSON.stringify({
        eventId: `${conversationId}:breached`,
        tenantId,
        event: { type: 'sla.breached', at: new Date().toISOString(), conversationId, customerId: 'bench', metric: 'first_response', cycle: 1 },
        context: { team: 'support', priority: 'high' },
      }),
    });
    const arrived = (ids: string[], timeoutMs: number) =>
      new Promise<void>((resolve, reject) => {
        const pending = new Set(ids.filter((id) => !arrivals.has(id)));
        if (pending.size === 0) return resolve();
        const timer = setTimeout(() => reject(new Error(`${pending.size} of ${ids.length} webhooks missing after ${timeoutMs} ms`)), timeoutMs);
        for (const id of pending) {
          waiters.set(id, () => {
            pending.delete(id);
            waiters.delete(id);
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          });
        }
      });

    // Warm-up: connections, JIT, prepared plans.
    const warm = Array.from({ length: 200 }, (_, i) => `warm-${run}-${i}`);
    await producer.send({ topic: 'sla.events.v1', messages: warm.map(record) });
    await arrived(warm, 60_000);

    // Steady rate: latency from publication to webhook, below saturation.
    const steadyPublished = new Map<string, number>();
    const perTick = Math.max(1, Math.round(RATE / 20));
    const ticks = Math.round(SECONDS * 20);
    for (let tick = 0; tick < ticks; tick++) {
      const started = Date.now();
      const ids = Array.from({ length: perTick }, (_, i) => `steady-${run}-${tick}-${i}`);
      const sent = Date.now();
      await producer.send({ topic: 'sla.events.v1', messages: ids.map(record) });
      for (const id of ids) steadyPublished.set(id, sent);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 50 - (Date.now() - started))));
    }
    const sendTimes = [...steadyPublished.values()];
    const achievedRate = (steadyPublished.size * 1000) / Math.max(1, Math.max(...sendTimes) + 50 - Math.min(...sendTimes));
    await arrived([...steadyPublished.keys()], 120_000);
    const steady = [...steadyPublished].map(([id, sent]) => arrivals.get(id)! - sent).sort((a, b) => a - b);

    // Burst: everything at once; deliveries per second at the receiver.
    const burstIds = Array.from({ length: BURST }, (_, i) => `burst-${run}-${i}`);
    const burstStart = Date.now();
    for (let i = 0; i < burstIds.length; i += 1000) {
      await producer.send({ topic: 'sla.events.v1', messages: burstIds.slice(i, i + 1000).map(record) });
    }
    const published = Date.now();
    await arrived(burstIds, 600_000);
    const arrivalsOfBurst = burstIds.map((id) => arrivals.get(id)!);
    const burstEnd = Math.max(...arrivalsOfBurst);
    const firstArrival = Math.min(...arrivalsOfBurst);
    const burstLatency = arrivalsOfBurst.map((at) => at - burstStart).sort((a, b) => a - b);
    // Successes are recorded in shared statements just after the receiver answers: wait for the last of them.
    const expected = 200 + steady.length + BURST;
    let rows: Array<{ deliveries: number; escalations: number }> = [];
    for (let tries = 0; tries < 100; tries++) {
      ({ rows } = await db.query(
        `SELECT count(*)::int AS deliveries, count(DISTINCT escalation_id)::int AS escalations FROM notifier.deliveries WHERE tenant_id = $1 AND status = 'delivered'`,
        [tenantId],
      ));
      if (rows[0].deliveries >= expected) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
    console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`);
    console.log(`steady ${RATE}/s for ${SECONDS}s (${steady.length} breaches, published at ${fmt(achievedRate)}/s): sla.breached on Kafka → webhook received p50 ${steady[Math.floor(steady.length / 2)]} ms, p90 ${percentile(steady, 90)} ms, p99 ${percentile(steady, 99)} ms, max ${steady[steady.length - 1]} ms`);
    console.log(
      `burst of ${fmt(BURST)} breaches (published in ${fmt(published - burstStart)} ms): ${fmt((BURST * 1000) / (burstEnd - burstStart))} deliveries/s from the first publish to the last webhook ` +
        `(${fmt((BURST * 1000) / (burstEnd - firstArrival))}/s from the first webhook), latency p50 ${fmt(percentile(burstLatency, 50))} ms, p99 ${fmt(percentile(burstLatency, 99))} ms`,
    );
    console.log(`delivered rows: ${fmt(rows[0].deliveries)} for ${fmt(rows[0].escalations)} escalations (expected ${fmt(expected)}, one each)`);
    console.log(`notifier peak RSS: ${peakRssMiB(notifier.process.pid!).toFixed(0)} MiB (delivery concurrency ${values.concurrency})`);
  } finally {
    await producer.disconnect();
    await db.end();
    await notifier.stop();
    server.close();
    server.closeAllConnections();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
