import { randomUUID } from 'node:crypto';

import { Client } from 'pg';

import { createIdentityDataSource, IdentityService } from '@pw/identity';
import { initialiseAndMigrate } from '@pw/persistence';
import { InteractionStream, type RunningService, startService, STREAM_CONFIG, TopicTap } from '@pw/test-support';

import { acceptedInSentOrder, appliedCount, createTenant, expectSameOutput, type Json, postInteractions, publishedFor, putConfig, settled, simulate, skipAcceptedBacklog } from './sla-harness';

/*
 * Crash tests: the sla service is killed with SIGKILL (its own fault hook, so that the kill
 * lands at a known point: inside a batch's or a timer round's transaction before COMMIT, just
 * after COMMIT before the Kafka offsets are committed or the relay is woken, or between the
 * relay's send and its DELETE), while a stream is still arriving. A fresh instance takes over; once it has settled, what was
 * published on sla.events.v1 equals the simulator's output for the accepted events, and no
 * eventId was published twice.
 */
const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/promise_watch_test';
const SLA_PORT = 13222;

describe('sla: killed with SIGKILL mid-batch or mid-timer-round, restarted, publishes what the oracle says, each eventId once', () => {
  let intake: RunningService;
  let sla: RunningService | undefined;
  let outputTap: TopicTap;
  let acceptedTap: TopicTap;
  let db: Client;
  const identityDataSource = createIdentityDataSource(databaseUrl);
  let identity: IdentityService;
  // A short session: the dead instance's partitions move to the new one within seconds.
  const slaEnv = (extra: Record<string, string> = {}) => ({ DATABASE_URL: databaseUrl, SLA_CONSUMER_SESSION_TIMEOUT_MS: '6000', SLA_TIMER_BATCH: '10', ...extra });

  beforeAll(async () => {
    await initialiseAndMigrate(identityDataSource);
    identity = new IdentityService(identityDataSource);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    outputTap = await TopicTap.open('sla.events.v1');
    acceptedTap = await TopicTap.open('interactions.accepted.v1');
    intake = await startService('intake', 13221, { DATABASE_URL: databaseUrl });
    await skipAcceptedBacklog();
  });

  afterEach(async () => {
    await sla?.stop();
    sla = undefined;
  });

  afterAll(async () => {
    await intake?.stop();
    await outputTap?.close();
    await acceptedTap?.close();
    await db?.end();
    await identityDataSource.destroy();
  });

  it.each([
    ['kill-in-batch', 3],
    ['kill-after-batch', 3],
    ['kill-in-timer-round', 4],
    ['kill-after-timer-round', 4],
    // Sent to Kafka, not yet deleted from the outbox: the next relay must not send it again.
    ['kill-after-publish', 2],
  ])('%s (occurrence %d)', async (fault, at) => {
    const keys = await createTenant(identity, fault);
    const configText = JSON.stringify(STREAM_CONFIG);
    sla = await startService('sla', SLA_PORT, slaEnv({ SLA_FAULT_INJECTION: fault, SLA_FAULT_AT: String(at) }));
    const killed = new Promise<NodeJS.Signals | null>((resolve) => sla?.process.once('exit', (_code, signal) => resolve(signal)));
    await putConfig(sla.url, keys, configText, 'application/json');

    const stream = new InteractionStream({ events: 1500, conversations: 150, seed: at, start: Date.now() - 120 * 86_400_000, days: 15, idPrefix: `${randomUUID().slice(0, 6)}-` });
    const sent: Json[] = [];
    for (let chunk = stream.next(100); chunk.length > 0; chunk = stream.next(100)) {
      sent.push(...chunk.map(({ event }) => ({ ...event, receivedAt: undefined, customerId: `of-${event.conversationId}` })));
    }
    // Sent while the service works (and dies); intake keeps accepting meanwhile.
    let accepted = 0;
    for (let i = 0; i < sent.length; i += 100) accepted += (await postInteractions(intake.url, keys, sent.slice(i, i + 100))).accepted;

    expect(await killed).toBe('SIGKILL');
    // The kill came before the work was done: the new instance has some left.
    const appliedAtKill = await appliedCount(db, keys.tenantId);
    const dueAtKill = (await db.query('SELECT count(*)::int AS n FROM sla.entities WHERE tenant_id = $1 AND next_due_at <= now()', [keys.tenantId])).rows[0].n as number;
    expect(appliedAtKill < accepted || dueAtKill > 0).toBe(true);

    sla = await startService('sla', SLA_PORT, slaEnv());
    await settled(db, outputTap, keys.tenantId, accepted);
    const oracle = await simulate(configText, acceptedInSentOrder(acceptedTap, keys.tenantId, sent), new Date().toISOString());
    expect(oracle.length).toBeGreaterThan(500);
    expectSameOutput(publishedFor(outputTap, keys.tenantId), oracle);
  });
});
