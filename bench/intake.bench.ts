/*
 * The HTTP door of the intake service under load, from this separate process (autocannon for
 * the batches, an open-loop generator for the single events: bench/open-loop.ts),
 * against the real PostgreSQL and a Kafka broker on the same machine.
 *   npm run bench:intake [-- --batches N --connections N --single-rate N --single-seconds N]
 * Prints: accepted events/s with batches of 100 and their p50/p99 latency; the time the
 * outbox relay took to publish all of them to Kafka; single-event requests at a fixed
 * rate, measured after 3 s of the same load, with their p50/p90/p99; the intake process's
 * peak RSS.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';

import autocannon from 'autocannon';
import { Client } from 'pg';

import { createIdentityDataSource, IdentityService } from '@pw/identity';
import { initialiseAndMigrate } from '@pw/persistence';
import { startService } from '@pw/test-support';

import { percentile, runOpenLoop } from './open-loop';

const { values } = parseArgs({
  options: {
    batches: { type: 'string', default: '4000' },
    'batch-size': { type: 'string', default: '100' },
    connections: { type: 'string', default: '16' },
    'single-rate': { type: 'string', default: '1000' },
    'single-seconds': { type: 'string', default: '20' },
    port: { type: 'string', default: '13201' },
  },
});
const BATCHES = Number(values.batches);
const BATCH_SIZE = Number(values['batch-size']);
const CONNECTIONS = Number(values.connections);
const SINGLE_RATE = Number(values['single-rate']);
const SINGLE_SECONDS = Number(values['single-seconds']);
/** Seconds of single events before the measured ones (connections opened, code compiled), not counted. */
const SINGLE_WARMUP_SECONDS = 3;
const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/promise_watch';
const run = randomUUID().slice(0, 8);

function eventJson(n: number): string {
  const conversation = n % 5000;
  return JSON.stringify({
    id: `bench-${run}-${n}`,
    source: 'bench',
    kind: 'message',
    conversationId: `conv-${run}-${conversation}`,
    customerId: `cust-${conversation % 1000}`,
    channel: 'email',
    direction: n % 3 === 0 ? 'outbound' : 'inbound',
    occurredAt: new Date(Date.UTC(2026, 11, 1) + n * 1000).toISOString(),
    team: `team-${conversation % 7}`,
    priority: 'normal',
    tags: ['bench'],
  });
}

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kib / 1024);
}

async function runCannon(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

async function main(): Promise<void> {
  const identityDataSource = createIdentityDataSource(databaseUrl);
  await initialiseAndMigrate(identityDataSource);
  const identity = new IdentityService(identityDataSource);
  const tenant = await identity.createTenant(`bench-${run}`, 10_000_000);
  const { key } = await identity.createKey(tenant.name, ['ingest']);
  await identityDataSource.destroy();

  const intake = await startService('intake', Number(values.port), { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' });
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  try {
    // Warm-up: connections, JIT, the key cache.
    let n = 0;
    const warmBodies = Array.from({ length: 200 }, () => `[${Array.from({ length: BATCH_SIZE }, () => eventJson(n++)).join(',')}]`);
    await runCannon({ url: `${intake.url}/v1/interactions`, method: 'POST', headers, connections: 8, amount: warmBodies.length, requests: [{ setupRequest: bodyFrom(warmBodies) }] });

    // 1. Batches of BATCH_SIZE, as fast as the service answers.
    const bodies = Array.from({ length: BATCHES }, () => `[${Array.from({ length: BATCH_SIZE }, () => eventJson(n++)).join(',')}]`);
    let acceptedEvents = 0;
    let otherStatuses = 0;
    const pid = intake.process.pid!;
    const cpuBefore = cpuSeconds(pid);
    const batchResult = await runCannon({
      url: `${intake.url}/v1/interactions`,
      method: 'POST',
      headers,
      connections: CONNECTIONS,
      amount: bodies.length,
      requests: [
        {
          setupRequest: bodyFrom(bodies),
          onResponse: (status, body) => {
            if (status === 202) acceptedEvents += (JSON.parse(body) as { accepted: number }).accepted;
            else otherStatuses += 1;
          },
        },
      ],
    });
    const loadEnded = Date.now();
    const seconds = batchResult.duration;
    const batchCpu = (cpuSeconds(pid) - cpuBefore) / seconds;
    // 2. How long until the relay has published everything accepted.
    for (;;) {
      const { rows } = await db.query('SELECT count(*)::int AS n FROM intake.outbox');
      if (rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const drainedAfterMs = Date.now() - loadEnded;

    // 3. Single-event requests at a fixed rate.
    const singles = Array.from({ length: SINGLE_RATE * (SINGLE_SECONDS + SINGLE_WARMUP_SECONDS) + 1000 }, () => eventJson(n++));
    const singleCpuBefore = cpuSeconds(pid);
    const singleResult = await runOpenLoop({
      origin: intake.url,
      path: '/v1/interactions',
      headers,
      bodies: singles,
      ratePerSecond: SINGLE_RATE,
      seconds: SINGLE_SECONDS,
      warmupSeconds: SINGLE_WARMUP_SECONDS,
      connections: 64,
    });
    const singleErrors = singleResult.requests - (singleResult.statuses[202] ?? 0);

    const singleCpu = (cpuSeconds(pid) - singleCpuBefore) / (singleResult.seconds + SINGLE_WARMUP_SECONDS);
    const report = {
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      batches: {
        requests: batchResult.requests.total,
        batchSize: BATCH_SIZE,
        connections: CONNECTIONS,
        acceptedEvents,
        non202: otherStatuses + batchResult.errors + batchResult.timeouts,
        seconds: Number(seconds.toFixed(2)),
        acceptedEventsPerSecond: Math.round(acceptedEvents / seconds),
        latencyMs: { p50: batchResult.latency.p50, p99: batchResult.latency.p99, max: batchResult.latency.max },
        outboxPublishedWithinMsAfterLoad: drainedAfterMs,
        intakeCpuCores: Number(batchCpu.toFixed(2)),
      },
      singleEvents: {
        targetRate: SINGLE_RATE,
        warmupSeconds: SINGLE_WARMUP_SECONDS,
        achievedRate: Math.round(singleResult.achievedRate),
        requests: singleResult.requests,
        statuses: singleResult.statuses,
        non202: singleErrors,
        latencyMs: {
          p50: round1(percentile(singleResult.latenciesMs, 50)),
          p90: round1(percentile(singleResult.latenciesMs, 90)),
          p99: round1(percentile(singleResult.latenciesMs, 99)),
          max: round1(percentile(singleResult.latenciesMs, 100)),
        },
        generatorSendLagMs: { p50: round1(percentile(singleResult.sendLagsMs, 50)), p99: round1(percentile(singleResult.sendLagsMs, 99)), max: round1(percentile(singleResult.sendLagsMs, 100)) },
        intakeCpuCores: Number(singleCpu.toFixed(2)),
      },
      intakePeakRssMiB: peakRssMiB(intake.process.pid!),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(
      `\nbatches of ${BATCH_SIZE}: ${report.batches.acceptedEventsPerSecond.toLocaleString('en')} accepted events/s, p50 ${report.batches.latencyMs.p50} ms, p99 ${report.batches.latencyMs.p99} ms (goal ≥ 20,000 events/s)\n` +
        `single events at ${SINGLE_RATE}/s: p50 ${report.singleEvents.latencyMs.p50} ms, p99 ${report.singleEvents.latencyMs.p99} ms (goal p99 < 50 ms)\n`,
    );
    if (report.batches.non202 > 0 || report.singleEvents.non202 > 0) {
      process.stderr.write('bench:intake: some requests were not accepted (non202 above); the figures are not valid\n');
      process.exitCode = 1;
    }
  } finally {
    await db.end();
    await intake.stop();
  }
}

/** Each request takes the next prepared body, so every event is new. */
function bodyFrom(bodies: string[]): (request: autocannon.Request) => autocannon.Request {
  let next = 0;
  return (request) => ({ ...request, body: bodies[next++ % bodies.length] });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:intake failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
