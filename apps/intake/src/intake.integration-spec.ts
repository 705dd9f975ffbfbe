import { randomBytes, randomUUID } from 'node:crypto';

import fc from 'fast-check';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Client } from 'pg';

import { type AcceptedInteraction, parseInteractionEvent } from '@pw/contracts';
import { createIdentityDataSource, IdentityService } from '@pw/identity';
import { TOPICS } from '@pw/kafka';
import { createServiceDataSource, initialiseAndMigrate } from '@pw/persistence';
import { expectEventually, type RunningService, startService, TopicTap } from '@pw/test-support';

import { loadIntakeConfig } from './config/intake.config';
import { intakeDataSourceOptions } from './data-source';
import { KafkaDoorService } from './kafka-door/kafka-door.service';
import { IntakeOutboxRelay } from './outbox/intake-outbox.relay';

// The intake service as a real process against the real PostgreSQL, Redis and Kafka: both
// doors, deduplication, every error status, a fuzz run and crashes before the answer.
describe('intake', () => {
  const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/promise_watch_test';
  const run = randomUUID().slice(0, 8);
  const env = { DATABASE_URL: databaseUrl };
  let intake: RunningService;
  let accepted: TopicTap;
  let deadLetters: TopicTap;
  let producer: Producer;
  let db: Client;
  const tenants: Record<'main' | 'slow' | 'fuzz', { id: string; ingestKey: string }> = {} as never;
  let readKey = '';

  beforeAll(async () => {
    const identityDataSource = createIdentityDataSource(databaseUrl);
    await initialiseAndMigrate(identityDataSource);
    const identity = new IdentityService(identityDataSource);
    for (const [name, rate] of [['main', 1_000_000], ['slow', 5], ['fuzz', 1_000_000]] as const) {
      const tenant = await identity.createTenant(`intake-${name}-${run}`, rate);
      tenants[name] = { id: tenant.id, ingestKey: (await identity.createKey(tenant.name, ['ingest'])).key };
    }
    readKey = (await identity.createKey(`intake-main-${run}`, ['read'])).key;
    await identityDataSource.destroy();

    intake = await startService('intake', 13101, env);
    accepted = await TopicTap.open(TOPICS.interactionsAccepted);
    deadLetters = await TopicTap.open(TOPICS.interactionsDlq);
    const kafka = new Kafka({ clientId: 'intake-test', brokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await Promise.all([accepted?.close(), deadLetters?.close(), producer?.disconnect(), db?.end()]);
    await intake?.stop();
  });

  const event = (conversationId: string, n: number, extra: Record<string, unknown> = {}) => ({
    id: `${conversationId}-m${n}`,
    source: 'helpdesk',
    kind: 'message',
    conversationId,
    customerId: `cust-${conversationId}`,
    channel: 'email',
    direction: n % 2 === 0 ? 'inbound' : 'outbound',
    occurredAt: new Date(Date.UTC(2026, 11, 1, 9, 0, n)).toISOString(),
    ...extra,
  });

  const post = (body: unknown, key = tenants.main.ingestKey, url = intake.url, contentType = 'application/json') =>
    fetch(`${url}/v1/interactions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const send = (records: Array<{ key?: string | Buffer; value: string | Buffer | null; headers?: Record<string, string | Buffer> }>) =>
    producer.send({ topic: TOPICS.interactions, acks: -1, messages: records });

  const acceptedOf = (tenantId: string) =>
    accepted.json<AcceptedInteraction>().filter((record) => record.tenantId === tenantId);

  /**
   * Publishes a fresh sentinel event in `conversationId` and waits for it: the relay publishes
   * the outbox in order, so anything queued before it (a double included) is out by then.
   */
  async function drainThrough(conversationId: string): Promise<void> {
    const sentinel = event(conversationId, 9999, { id: `sentinel-${randomUUID()}` });
    expect((await post(sentinel)).status).toBe(202);
    await expectEventually(() => expect(acceptedOf(tenants.main.id).some((record) => record.event.id === sentinel.id)).toBe(true), 30_000);
  }

  it('publishes accepted events on interactions.accepted.v1 keyed by conversation, in order per conversation', async () => {
    const conversations = Array.from({ length: 8 }, (_, i) => `order-${run}-${i}`);
    const sent = new Map<string, string[]>(conversations.map((c) => [c, []]));
    for (let request = 0; request < 5; request++) {
      // Each request mixes conversations; each conversation's events go in increasing n.
      const batch = conversations.flatMap((conversationId) => [0, 1, 2, 3].map((k) => event(conversationId, request * 4 + k)));
      const response = await post(batch);
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ accepted: 32, duplicates: 0 });
      for (const item of batch) sent.get(item.conversationId)!.push(item.id);
    }
    for (const conversationId of conversations) expect((await post(event(conversationId, 100))).status).toBe(202);
    for (const conversationId of conversations) sent.get(conversationId)!.push(`${conversationId}-m100`);

    await expectEventually(() => expect(acceptedOf(tenants.main.id).filter((r) => r.event.conversationId.startsWith(`order-${run}`))).toHaveLength(168), 30_000);
    for (const conversationId of conversations) {
      const records = accepted.records.filter((record) => record.key?.toString() === `${tenants.main.id}:${conversationId}`);
      expect(new Set(records.map((record) => record.partition)).size).toBe(1);
      const values = records.map((record) => JSON.parse(record.value!.toString()) as AcceptedInteraction);
      expect(values.map((value) => value.event.id)).toEqual(sent.get(conversationId));
      expect(values.every((value) => typeof value.event.receivedAt === 'string' && value.event.source === 'helpdesk')).toBe(true);
      expect(records.every((record) => record.headers['tenant-id']?.toString() === tenants.main.id)).toBe(true);
    }
  });

  it('accepts an event once: the same request twice, concurrent retries, a repeat inside a request, a CloudEvents copy', async () => {
    const conversationId = `dup-${run}`;
    const batch = [0, 1, 2].map((n) => event(conversationId, n));
    const first = await post(batch);
    expect(await first.json()).toEqual({ accepted: 3, duplicates: 0 });
    expect(await (await post(batch)).json()).toEqual({ accepted: 0, duplicates: 3 });

    const retried = [3, 4, 5, 6].map((n) => event(conversationId, n));
    const answers = await Promise.all(Array.from({ length: 12 }, () => post(retried).then((response) => response.json() as Promise<{ accepted: number; duplicates: number }>)));
    expect(answers.reduce((sum, answer) => sum + answer.accepted, 0)).toBe(4);
    expect(answers.every((answer) => answer.accepted + answer.duplicates === 4)).toBe(true);

    const repeated = event(conversationId, 7);
    expect(await (await post([repeated, repeated])).json()).toEqual({ accepted: 1, duplicates: 1 });

    // The same (source, id) inside a CloudEvents envelope is the same event.
    const { id, source, occurredAt, ...data } = event(conversationId, 8);
    const envelope = { specversion: '1.0', type: 'com.example.message', id, source, time: occurredAt, data };
    expect(await (await post(envelope)).json()).toEqual({ accepted: 1, duplicates: 0 });
    expect(await (await post({ id, source, occurredAt, ...data })).json()).toEqual({ accepted: 0, duplicates: 1 });

    await drainThrough(conversationId);
    const ids = acceptedOf(tenants.main.id)
      .filter((record) => record.event.conversationId === conversationId && !record.event.id.startsWith('sentinel'))
      .map((record) => record.event.id);
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => `${conversationId}-m${n}`));
  });

  it('answers 400 with every bad item by index, field and reason, and accepts none of the request', async () => {
    const conversationId = `bad-${run}`;
    const good = event(conversationId, 0);
    const response = await post([good, { ...good, id: 'x2', kind: 'shout' }, good, { ...good, id: 'x4', occurredAt: '2026-12-01T09:00:00' }]);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as { status: number; errors: Array<{ index: number; field: string; reason: string }> };
    expect(problem.status).toBe(400);
    expect(problem.errors.map((item) => [item.index, item.field])).toEqual([
      [1, 'kind'],
      [3, 'occurredAt'],
    ]);
    expect(problem.errors.every((item) => item.reason.length > 0)).toBe(true);
    // Nothing of it was stored: the good event is new when sent alone.
    expect(await (await post(good)).json()).toEqual({ accepted: 1, duplicates: 0 });

    const notJson = await post('{"id": ', tenants.main.ingestKey);
    expect([notJson.status, ((await notJson.json()) as { detail: string }).detail]).toEqual([400, 'the body is not valid JSON']);
    const empty = await post([]);
    expect(empty.status).toBe(400);
  });

  it('answers 401 without a valid key, 403 without the ingest scope, 413 over 1 MiB, 415 for a body that is not JSON', async () => {
    const noKey = await fetch(`${intake.url}/v1/interactions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { detail: string }).detail).toMatch(/Authorization: Bearer/);
    const wrongKey = await post(event('k', 0), `pwk_${randomBytes(8).toString('hex')}_${randomBytes(24).toString('hex')}`);
    expect(wrongKey.status).toBe(401);
    const readOnly = await post(event('k', 0), readKey);
    expect(readOnly.status).toBe(403);
    expect(((await readOnly.json()) as { detail: string }).detail).toMatch(/ingest/);

    // Three times the limit: the 413 must reach a client that is still sending (not a broken pipe).
    const large = await post([event('big', 0, { metadata: { blob: 'x'.repeat(3 * 1024 * 1024) } })]);
    expect(large.status).toBe(413);
    expect(large.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await large.json()) as { detail: string }).detail).toBe('the body is larger than 1048576 bytes');
    const text = await post('id=1', tenants.main.ingestKey, intake.url, 'text/plain');
    expect(text.status).toBe(415);
  });

  it("answers 429 with Retry-After once the tenant's events per second are used up", async () => {
    const conversationId = `slow-${run}`;
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    // 5 events per second: the first request of 5 passes, the next one in the same second is refused.
    for (let attempt = 0; attempt < 3 && !statuses.includes(429); attempt++) {
      const batch = [0, 1, 2, 3, 4].map((n) => event(conversationId, attempt * 10 + n));
      statuses.push((await post(batch, tenants.slow.ingestKey)).status);
      const over = await post(event(conversationId, attempt * 10 + 5), tenants.slow.ingestKey);
      statuses.push(over.status);
      if (over.status === 429) {
        retryAfter = over.headers.get('retry-after');
        expect(((await over.json()) as { detail: string }).detail).toMatch(/5 events per second/);
      }
    }
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    const tooBig = await post(Array.from({ length: 6 }, (_, n) => event(conversationId, 100 + n)), tenants.slow.ingestKey);
    expect(tooBig.status).toBe(429);
  });

  it('serves the OpenAPI document at /docs, with the event schema the requests are validated against', async () => {
    expect((await fetch(`${intake.url}/docs`)).status).toBe(200);
    const document = (await (await fetch(`${intake.url}/docs/openapi.json`)).json()) as {
      paths: Record<string, { post: { requestBody: { content: Record<string, { schema: { oneOf: Array<{ oneOf?: Array<{ properties?: Record<string, unknown> }> }> } }> } } }>;
    };
    const operation = document.paths['/v1/interactions'].post;
    const single = operation.requestBody.content['application/json'].schema.oneOf[0];
    expect(Object.keys(single.oneOf![0].properties!)).toEqual(expect.arrayContaining(['id', 'occurredAt', 'kind', 'conversationId', 'promise']));
    expect(Object.keys((operation as unknown as { responses: Record<string, unknown> }).responses)).toEqual(
      expect.arrayContaining(['202', '400', '401', '403', '413', '415', '429']),
    );
  });

  describe('the Kafka door (interactions.v1)', () => {
    it('accepts good records, dead-letters bad ones with the reason and the original bytes, and goes on', async () => {
      const conversationId = `door-${run}`;
      const headers = { 'tenant-id': tenants.main.id };
      const notJson = Buffer.from([0x7b, 0xff, 0x00, 0x22]);
      await send([
        { key: conversationId, value: JSON.stringify(event(conversationId, 0)), headers },
        { key: conversationId, value: notJson, headers },
        { key: conversationId, value: JSON.stringify(event(conversationId, 1, { kind: 'shout' })), headers },
        { key: conversationId, value: JSON.stringify(event(conversationId, 2)) },
        { key: conversationId, value: JSON.stringify(event(conversationId, 3)), headers: { 'tenant-id': randomUUID() } },
        { key: conversationId, value: JSON.stringify(event(conversationId, 4)), headers },
        // Already accepted: a duplicate, whichever door it takes.
        { key: conversationId, value: JSON.stringify(event(conversationId, 0)), headers },
      ]);
      await expectEventually(() => expect(acceptedOf(tenants.main.id).filter((r) => r.event.conversationId === conversationId)).toHaveLength(2), 30_000);
      const letters = () => deadLetters.records.filter((record) => record.key?.toString() === conversationId);
      await expectEventually(() => expect(letters()).toHaveLength(4), 30_000);
      const reasons = letters().map((record) => record.headers['dlq-reason']!.toString());
      expect(reasons).toEqual([
        'value: is not UTF-8',
        expect.stringMatching(/^kind: "shout" /),
        'header tenant-id: is missing',
        'header tenant-id: no tenant has this id',
      ]);
      expect(Buffer.compare(letters()[0].value!, notJson)).toBe(0);
      expect(letters().every((record) => record.headers['dlq-source-topic']?.toString() === TOPICS.interactions && record.headers['dlq-source-offset'] !== undefined)).toBe(true);
      expect(letters()[0].headers['x-outbox-encoding']).toBeUndefined();

      // The same event over HTTP is now a duplicate.
      expect(await (await post(event(conversationId, 4))).json()).toEqual({ accepted: 0, duplicates: 1 });
      expect(acceptedOf(tenants.main.id).filter((r) => r.event.conversationId === conversationId).map((r) => r.event.id)).toEqual([
        `${conversationId}-m0`,
        `${conversationId}-m4`,
      ]);
    });
  });

  it('Kafka door: a batch delivered twice (a crash before the offset commit) dead-letters and accepts its records once', async () => {
    const dataSource = createServiceDataSource(intakeDataSourceOptions(databaseUrl));
    await dataSource.initialize();
    const identityDataSource = createIdentityDataSource(databaseUrl);
    await identityDataSource.initialize();
    // Never started: this test checks what the door writes, not what the relay sends.
    const relay = new IntakeOutboxRelay(dataSource, loadIntakeConfig({ ...process.env, DATABASE_URL: databaseUrl }));
    const door = new KafkaDoorService(dataSource, new IdentityService(identityDataSource), relay);
    try {
      const conversationId = `redeliver-${run}`;
      const partition = 1_000 + Math.floor(Math.random() * 1_000_000); // a partition no broker has: rows of this test only
      const message = (offset: number, value: string, headers: Record<string, string>) =>
        ({ offset: String(offset), timestamp: '1764900000000', key: Buffer.from(conversationId), value: Buffer.from(value), headers, attributes: 0, size: 0 }) as never;
      const batch = {
        topic: TOPICS.interactions,
        partition,
        messages: [message(7, JSON.stringify(event(conversationId, 0)), { 'tenant-id': tenants.main.id }), message(8, 'not json', { 'tenant-id': tenants.main.id })],
      };
      const first = await door.handleBatch(batch, new Date());
      const second = await door.handleBatch(batch, new Date());
      expect(first).toEqual({ accepted: 1, duplicates: 0, deadLetters: 1, redelivered: 0 });
      expect(second).toEqual({ accepted: 0, duplicates: 1, deadLetters: 0, redelivered: 1 });
      const letters = await db.query(`SELECT count(*)::int AS n FROM intake.dead_letters WHERE topic = $1 AND partition = $2`, [TOPICS.interactions, partition]);
      expect(letters.rows[0].n).toBe(1);
      // The same offset with another timestamp (a re-created topic) is a new record.
      const recreated = { ...batch, messages: [{ ...(batch.messages[1] as object), timestamp: '1764900009999' } as never] };
      expect((await door.handleBatch(recreated, new Date())).deadLetters).toBe(1);
    } finally {
      await dataSource.destroy();
      await identityDataSource.destroy();
    }
  });

  describe('fuzz: 10,000 malformed payloads at each door', () => {
    const valid = event('fuzz', 0);
    // Payloads that are wrong in the ways publishers get them wrong, and in arbitrary ways.
    const mutation = fc.oneof(
      fc.record({ field: fc.constantFrom(...Object.keys(valid)), value: fc.oneof(fc.jsonValue(), fc.string()) }).map(({ field, value }) => ({ ...valid, [field]: value })),
      fc.constantFrom(...Object.keys(valid)).map((field) => Object.fromEntries(Object.entries(valid).filter(([key]) => key !== field))),
      fc.record({ field: fc.string({ minLength: 1 }), value: fc.jsonValue() }).map(({ field, value }) => ({ ...valid, [field]: value })),
      fc.constantFrom('2026-12-01T09:00:00', '2026-13-01T09:00:00Z', 'yesterday', '2026-12-01 09:00', '').map((occurredAt) => ({ ...valid, occurredAt })),
      fc.record({ kind: fc.constantFrom('promise.made', 'transfer', 'feedback', 'status', 'call') }).map(({ kind }) => ({ ...valid, kind })),
      fc.string().map((id) => ({ ...valid, id: `${id}\u0000` })),
      fc.constantFrom('\ud800', '\udfff', 'a\udc00b').map((text) => ({ ...valid, metadata: { note: text } })),
      fc.string({ unit: 'binary' }).map((customerId) => ({ ...valid, customerId, kind: 'shout' })),
      fc.jsonValue(),
      fc.array(fc.jsonValue(), { minLength: 1, maxLength: 3 }),
    );
    const malformed = mutation.filter((payload) => {
      const items = Array.isArray(payload) ? payload : [payload];
      return items.some((item) => !parseInteractionEvent(item).ok);
    });
    const rawBodies = fc.oneof(fc.string(), fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')));
    const samples = (count: number, seed: number) => fc.sample(fc.oneof({ weight: 9, arbitrary: malformed.map((p) => JSON.stringify(p)) }, { weight: 1, arbitrary: rawBodies }), { numRuns: count, seed });

    it('HTTP: every payload is answered with a 4xx, never a 5xx, and none is accepted', async () => {
      const bodies = samples(10_000, 42).filter((body) => {
        try {
          const parsed = JSON.parse(body) as unknown;
          const items = Array.isArray(parsed) ? parsed : [parsed];
          return items.length === 0 || items.some((item) => !parseInteractionEvent(item).ok);
        } catch {
          return true;
        }
      });
      while (bodies.length < 10_000) bodies.push(`{"id":${bodies.length}`);
      const statuses = new Map<number, number>();
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < bodies.length) {
            const body = bodies[next++];
            const response = await post(body, tenants.fuzz.ingestKey);
            await response.arrayBuffer();
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          }
        }),
      );
      expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(bodies.length);
      expect([...statuses.keys()].every((status) => status >= 400 && status < 500)).toBe(true);
      expect(statuses.get(400)).toBeGreaterThan(9000);
      const stored = await db.query('SELECT count(*)::int AS n FROM intake.accepted_events WHERE tenant_id = $1', [tenants.fuzz.id]);
      expect(stored.rows[0].n).toBe(0);
      expect(intake.process.exitCode).toBeNull();
    });

    it('Kafka: every record becomes a dead letter, the partition never stalls, and none is accepted', async () => {
      const marker = `fuzz-${run}`;
      const values = samples(10_000, 7);
      const headersFor = (n: number): Record<string, string> =>
        n % 10 === 0 ? {} : n % 10 === 1 ? { 'tenant-id': 'not-a-uuid' } : { 'tenant-id': tenants.fuzz.id };
      for (let from = 0; from < values.length; from += 1000) {
        await send(values.slice(from, from + 1000).map((value, i) => ({ key: `${marker}-${(from + i) % 50}`, value, headers: { ...headersFor(from + i), 'fuzz-run': marker } })));
      }
      // A good record behind them on every partition they used.
      const conversationId = `after-fuzz-${run}`;
      await send(Array.from({ length: 50 }, (_, i) => ({ key: `${marker}-${i}`, value: JSON.stringify(event(`${conversationId}-${i}`, 0)), headers: { 'tenant-id': tenants.main.id } })));

      const letters = () => deadLetters.records.filter((record) => record.headers['fuzz-run']?.toString() === marker);
      await expectEventually(() => expect(letters().length).toBe(10_000), 120_000, 250);
      await expectEventually(() => expect(acceptedOf(tenants.main.id).filter((r) => r.event.conversationId.startsWith(conversationId))).toHaveLength(50), 30_000);
      const offsets = new Set(letters().map((record) => `${record.headers['dlq-source-partition']}:${record.headers['dlq-source-offset']}`));
      expect(offsets.size).toBe(10_000);
      expect(letters().every((record) => (record.headers['dlq-reason']?.length ?? 0) > 0)).toBe(true);
      expect(acceptedOf(tenants.fuzz.id)).toEqual([]);
      expect(intake.process.exitCode).toBeNull();
    });
  });

  describe('a crash between the commit and the answer', () => {
    for (const fault of ['kill-after-commit', 'kill-after-publish'] as const) {
      it(`${fault}: the retry is a duplicate, and the events are published exactly once`, async () => {
        const faulty = await startService('intake', 13102, { ...env, INTAKE_FAULT_INJECTION: fault, INTAKE_KAFKA_DOOR: 'false' });
        const exited = new Promise<NodeJS.Signals | null>((resolve) => faulty.process.once('exit', (_code, signal) => resolve(signal)));
        const conversationId = `crash-${fault}-${run}`;
        const batch = [0, 1, 2, 3, 4].map((n) => event(conversationId, n));
        await expect(post(batch, tenants.main.ingestKey, faulty.url)).rejects.toThrow();
        expect(await exited).toBe('SIGKILL');

        // The publisher retries (here, against the surviving instance).
        expect(await (await post(batch)).json()).toEqual({ accepted: 0, duplicates: 5 });
        await drainThrough(conversationId);
        const ids = acceptedOf(tenants.main.id)
          .filter((record) => record.event.conversationId === conversationId && !record.event.id.startsWith('sentinel'))
          .map((record) => record.event.id);
        expect(ids).toEqual(batch.map((item) => item.id));
      });
    }
  });
});
