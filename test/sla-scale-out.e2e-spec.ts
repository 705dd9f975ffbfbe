import { randomUUID } from 'node:crypto';

import { Client } from 'pg';

import { createIdentityDataSource, IdentityService } from '@pw/identity';
import { initialiseAndMigrate } from '@pw/persistence';
import { type RunningService, startService, TopicTap } from '@pw/test-support';

import { acceptedInSentOrder, createTenant, expectSameOutput, type Json, postInteractions, publishedFor, putConfig, settled, simulate } from './sla-harness';

/*
 * Scale-out: instances of sla share the partitions (a Kafka consumer group) and the timers
 * (claimed with FOR UPDATE SKIP LOCKED). Conversations whose clocks fall due over the next
 * seconds arrive while a third instance joins (a rebalance) and then the first is killed
 * with SIGKILL mid-work (another rebalance, once its session times out). Every timer fires
 * exactly once: the published events equal the simulator's, no eventId twice, and the
 * timers were fired by more than one instance.
 */
const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/promise_watch_test';

const CONFIG = `version: 1
calendars:
  - { id: always, timezone: UTC, hours: 24x7 }
policies:
  - id: fast
    match: {}
    calendar: always
    targets: { first_response: 6s, resolution: 12s }
    warnAt: [0.5]
`;

async function timersFired(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith('sla_detection_lag_seconds_count '));
  return line ? Number(line.split(' ')[1]) : 0;
}

describe('sla: several instances share partitions and timers; across rebalances every timer fires exactly once', () => {
  const services: RunningService[] = [];
  let outputTap: TopicTap;
  let acceptedTap: TopicTap;
  let db: Client;
  const identityDataSource = createIdentityDataSource(databaseUrl);
  const slaEnv = { DATABASE_URL: databaseUrl, SLA_CONSUMER_SESSION_TIMEOUT_MS: '6000', SLA_TIMER_BATCH: '20' };

  beforeAll(async () => {
    await initialiseAndMigrate(identityDataSource);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    outputTap = await TopicTap.open('sla.events.v1');
    acceptedTap = await TopicTap.open('interactions.accepted.v1');
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await outputTap?.close();
    await acceptedTap?.close();
    await db?.end();
    await identityDataSource.destroy();
  });

  it('fires each warning and breach once while an instance joins and another dies', async () => {
    const keys = await createTenant(new IdentityService(identityDataSource), 'scale-out');
    const intake = await startService('intake', 13231, { DATABASE_URL: databaseUrl });
    services.push(intake);
    const [first, second] = await Promise.all([startService('sla', 13232, slaEnv), startService('sla', 13233, slaEnv)]);
    services.push(first, second);
    await putConfig(first.url, keys, CONFIG, 'application/yaml');

    const run = randomUUID().slice(0, 6);
    const sent: Json[] = [];
    let accepted = 0;
    const wave = async (n: number) => {
      const events = Array.from({ length: 20 }, (_, i) => ({
        id: `${run}-w${n}-${i}`,
        kind: 'message',
        channel: 'email',
        direction: 'inbound',
        occurredAt: new Date().toISOString(),
        conversationId: `${run}-conversation-${n}-${i}`,
        customerId: `${run}-customer-${n}-${i}`,
      }));
      sent.push(...events);
      accepted += (await postInteractions(intake.url, keys, events)).accepted;
      await new Promise((resolve) => setTimeout(resolve, 500));
    };
    for (let n = 0; n < 4; n++) await wave(n);
    // A third instance joins: the group rebalances while timers are falling due.
    const third = await startService('sla', 13234, slaEnv);
    services.push(third);
    for (let n = 4; n < 8; n++) await wave(n);
    const firedByFirst = await timersFired(first.url);
    const died = new Promise<void>((resolve) => first.process.once('exit', () => resolve()));
    first.process.kill('SIGKILL');
    await died;
    for (let n = 8; n < 12; n++) await wave(n);

    // The last resolution breach falls due 12 s after the last wave.
    const lastDue = Date.parse(String(sent[sent.length - 1]['occurredAt'])) + 12_000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastDue - Date.now() + 500)));
    await settled(db, outputTap, keys.tenantId, accepted);

    const live = publishedFor(outputTap, keys.tenantId);
    const oracle = await simulate(CONFIG, acceptedInSentOrder(acceptedTap, keys.tenantId, sent), new Date().toISOString());
    expectSameOutput(live, oracle);
    // Each conversation: first_response and resolution each warned once and breached once.
    const count = (type: string) => live.filter((record) => record.event['type'] === type).length;
    expect(count('sla.breached')).toBe(2 * sent.length);
    expect(count('sla.warning')).toBe(2 * sent.length);
    const facts = live.filter((record) => ['sla.warning', 'sla.breached'].includes(String(record.event['type'])));
    const keysOf = facts.map((record) => `${String(record.event['conversationId'])}/${String(record.event['metric'])}/${String(record.event['type'])}`);
    expect(new Set(keysOf).size).toBe(keysOf.length);
    // The work was shared: more than one instance fired timers.
    const firing = [firedByFirst, await timersFired(second.url), await timersFired(third.url)].filter((fired) => fired > 0);
    expect(firing.length).toBeGreaterThanOrEqual(2);
  });
});
