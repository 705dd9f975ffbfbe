import { randomBytes, randomUUID } from 'node:crypto';

import { Queue } from 'bullmq';
import { Client } from 'pg';

import { createIdentityDataSource, IdentityService } from '@pw/identity';
import { initialiseAndMigrate } from '@pw/persistence';
import { expectEventually, type RunningService, startService, WebhookReceiver } from '@pw/test-support';

// The walking skeleton: POST an event to intake → Kafka → sla stores the clock → breach at
// the due instant → sla.events.v1 → notifier → BullMQ → signed webhook at a local receiver.
describe('interaction to breach webhook, end to end', () => {
  const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/promise_watch_test';
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const receiver = new WebhookReceiver(secret);
  const services: RunningService[] = [];
  const tenantName = `e2e-${randomUUID().slice(0, 8)}`;
  let ingestKey = '';
  let adminKey = '';
  let tenantId = '';
  let intakeUrl = '';
  let slaUrl = '';

  beforeAll(async () => {
    const hookUrl = await receiver.listen();
    const identityDataSource = createIdentityDataSource(databaseUrl);
    await initialiseAndMigrate(identityDataSource);
    const identity = new IdentityService(identityDataSource);
    tenantId = (await identity.createTenant(tenantName)).id;
    ingestKey = (await identity.createKey(tenantName, ['ingest'])).key;
    adminKey = (await identity.createKey(tenantName, ['admin'])).key;
    await identityDataSource.destroy();

    const env = { DATABASE_URL: databaseUrl, E2E_WEBHOOK_SECRET: secret, NOTIFIER_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', E2E_HOOK_URL: hookUrl };
    // Started one after the other: each runs its migrations at start.
    services.push(await startService('intake', 13001, env));
    services.push(await startService('sla', 13002, env));
    services.push(await startService('notifier', 13003, env));
    intakeUrl = services[0].url;
    slaUrl = services[1].url;
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await receiver.close();
  });

  it('delivers a signed sla.breached webhook within a second of the due instant', async () => {
    const config = [
      'version: 1',
      'calendars: [{ id: always, timezone: UTC, hours: 24x7 }]',
      'policies:',
      '  - { id: fast, match: {}, calendar: always, targets: { first_response: 3s } }',
      'contacts:',
      '  - { id: oncall, webhook: { url: "${E2E_HOOK_URL}", secret: "${E2E_WEBHOOK_SECRET}" } }',
      'escalations:',
      '  - { id: breach, on: [sla.breached], match: {}, levels: [{ after: 0m, notify: [oncall] }] }',
    ].join('\n');
    const put = await fetch(`${slaUrl}/v1/config`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/yaml' },
      body: config,
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ version: 1 });

    // The notifier learns the configuration from tenant.config.v1.
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    await expectEventually(async () => {
      const rows = await db.query('SELECT version FROM notifier.tenant_configs WHERE tenant_id = $1', [tenantId]);
      expect(rows.rows).toEqual([{ version: 1 }]);
    }, 30_000);

    const conversationId = `conv-${randomUUID()}`;
    const occurredAt = new Date(Date.now() + 500);
    const dueAt = occurredAt.getTime() + 3000;
    const event = {
      id: `m-${randomUUID()}`,
      kind: 'message',
      conversationId,
      customerId: 'acme',
      channel: 'email',
      direction: 'inbound',
      occurredAt: occurredAt.toISOString(),
    };
    const post = await fetch(`${intakeUrl}/v1/interactions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(post.status).toBe(202);
    expect(await post.json()).toEqual({ accepted: 1, duplicates: 0 });

    // A retry of the same event is a duplicate and changes nothing.
    const retry = await fetch(`${intakeUrl}/v1/interactions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(await retry.json()).toEqual({ accepted: 0, duplicates: 1 });

    const delivery = await receiver.waitFor(
      (d) => (d.body as { cause?: { conversationId?: string } }).cause?.conversationId === conversationId,
      30_000,
    );
    expect(delivery.verification).toEqual({ valid: true, id: delivery.headers['webhook-id'] });
    const body = delivery.body as { cause: Record<string, unknown> };
    expect(body.cause).toMatchObject({ type: 'sla.breached', conversationId, customerId: 'acme', metric: 'first_response', cycle: 1 });
    expect(Math.abs(new Date(body.cause['dueAt'] as string).getTime() - dueAt)).toBeLessThan(1000);
    // Detection lag: the webhook arrives within a second of the due instant.
    expect(delivery.receivedAt - dueAt).toBeLessThan(1000);
    expect(delivery.receivedAt).toBeGreaterThanOrEqual(dueAt);

    // Exactly one delivery for this breach, even with the duplicate event.
    await expectEventually(async () => {
      const rows = await db.query(
        `SELECT d.status, d.id FROM notifier.deliveries d JOIN notifier.escalations e ON e.id = d.escalation_id WHERE e.tenant_id = $1`,
        [tenantId],
      );
      expect(rows.rows).toEqual([{ status: 'delivered', id: delivery.headers['webhook-id'] }]);
    });
    expect(receiver.received.filter((d) => d.headers['webhook-id'] === delivery.headers['webhook-id'])).toHaveLength(1);
    await db.end();
  });

  it("waits for the ladder's calendar before a level after the first: no page while it is closed", async () => {
    // A calendar open only 09:00-10:00 UTC two days from now: closed for the whole test.
    const opens = new Date(Date.now() + 2 * 86_400_000);
    const weekday = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][opens.getUTCDay()];
    const expectedAt = Date.UTC(opens.getUTCFullYear(), opens.getUTCMonth(), opens.getUTCDate(), 9);
    const config = [
      'version: 1',
      'calendars:',
      '  - { id: always, timezone: UTC, hours: 24x7 }',
      `  - { id: later, timezone: UTC, hours: { ${weekday}: ["09:00-10:00"] } }`,
      'policies:',
      '  - { id: fast, match: {}, calendar: always, targets: { first_response: 2s } }',
      'contacts:',
      '  - { id: oncall, webhook: { url: "${E2E_HOOK_URL}", secret: "${E2E_WEBHOOK_SECRET}" } }',
      'escalations:',
      '  - { id: night, on: [sla.breached], match: { channel: [chat] }, calendar: later, levels: [{ after: 0m, notify: [oncall] }, { after: 1s, notify: [oncall] }] }',
    ].join('\n');
    const put = await fetch(`${slaUrl}/v1/config`, { method: 'PUT', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/yaml' }, body: config });
    expect(put.status).toBe(200);
    const { version } = (await put.json()) as { version: number };
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const steps = new Queue('escalation-steps', { connection: { host: '127.0.0.1', port: 6379 }, prefix: 'pw' });
    try {
      await expectEventually(async () => {
        const rows = await db.query('SELECT version FROM notifier.tenant_configs WHERE tenant_id = $1', [tenantId]);
        expect(rows.rows).toEqual([{ version }]);
      }, 30_000);
      const conversationId = `night-${randomUUID()}`;
      const post = await fetch(`${intakeUrl}/v1/interactions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: `m-${randomUUID()}`, kind: 'message', conversationId, customerId: 'acme', channel: 'chat', direction: 'inbound', occurredAt: new Date().toISOString() }),
      });
      expect(post.status).toBe(202);
      // The first level goes at once (it is the news itself) ...
      await receiver.waitFor((d) => (d.body as { cause?: { conversationId?: string } }).cause?.conversationId === conversationId, 30_000);
      const { rows } = await db.query(`SELECT id, level FROM notifier.escalations WHERE tenant_id = $1 AND ladder_id = 'night' AND cause_key LIKE $2`, [tenantId, `%${conversationId}%`]);
      expect(rows).toEqual([{ id: expect.any(String), level: 0 }]);
      // ... the second, due a second later by wall clock, is timed for the calendar's opening.
      const job = await steps.getJob(`${rows[0].id as string}-e0-s1`);
      expect(job).toBeDefined();
      expect(Math.abs((job?.timestamp ?? 0) + (job?.opts.delay ?? 0) - expectedAt)).toBeLessThan(5_000);
    } finally {
      await steps.close();
      await db.end();
    }
  });

  it('answers 401 without a key, 403 without the scope, and 400 naming the field', async () => {
    const noKey = await fetch(`${intakeUrl}/v1/interactions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noKey.status).toBe(401);
    const wrongScope = await fetch(`${intakeUrl}/v1/interactions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(wrongScope.status).toBe(401);
    const forbidden = await fetch(`${slaUrl}/v1/config`, { headers: { authorization: `Bearer ${ingestKey}` } });
    expect(forbidden.status).toBe(403);
    const bad = await fetch(`${intakeUrl}/v1/interactions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ id: 'x', kind: 'message', conversationId: 'c', customerId: 'k', channel: 'email', direction: 'inbound', occurredAt: '2026-12-04T10:00:00' }]),
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await bad.json()) as { errors: Array<{ index: number; field: string }> };
    expect(problem.errors).toEqual([expect.objectContaining({ index: 0, field: 'occurredAt' })]);
    const secretShown = await fetch(`${slaUrl}/v1/config`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(JSON.stringify(await secretShown.json())).not.toContain(secret);
  });
});
