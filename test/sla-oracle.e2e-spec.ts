import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { Client } from 'pg';

import { createIdentityDataSource, IdentityService } from '@pw/identity';
import { initialiseAndMigrate } from '@pw/persistence';
import { expectEventually, InteractionStream, type RunningService, startService, STREAM_CONFIG, TopicTap } from '@pw/test-support';

import {
  acceptedInSentOrder,
  appliedCount as appliedCountOf,
  createTenant,
  EXAMPLES,
  expectSameOutput,
  type Json,
  type Keys,
  type Published,
  postInteractions,
  publishedFor,
  putConfig as putConfigOf,
  ROOT,
  runFile as run,
  settled as settledOf,
  simulate,
} from './sla-harness';
import { COUNTER_COLUMNS } from '../apps/sla/src/metrics/metric-deltas';
import { addPackedCounters, addPackedSketch, type SketchBins } from '../apps/sla/src/metrics/packed-sketch';

/*
 * The oracle: events sent through the live path (intake over HTTP → Kafka → sla → outbox →
 * sla.events.v1) give the same output events as the simulator given the same accepted events
 * (with the receivedAt that intake set), compared per conversation and per customer, in order.
 * Then the questions are asked of what the live run stored, and checked against the raw rows.
 */
const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/promise_watch_test';

describe('sla: the live path equals the simulator, and the questions answer from what it stored', () => {
  const services: RunningService[] = [];
  let intakeUrl = '';
  let slaUrl = '';
  let outputTap: TopicTap;
  let acceptedTap: TopicTap;
  let db: Client;
  const identityDataSource = createIdentityDataSource(databaseUrl);
  let identity: IdentityService;

  const tenant = (label: string) => createTenant(identity, label);
  const putConfig = (keys: Keys, body: string, contentType: string) => putConfigOf(slaUrl, keys, body, contentType);
  const post = (keys: Keys, events: unknown[]) => postInteractions(intakeUrl, keys, events);
  const appliedCount = (tenantId: string) => appliedCountOf(db, tenantId);
  const settled = (tenantId: string, accepted: number) => settledOf(db, outputTap, tenantId, accepted);
  const published = (tenantId: string) => publishedFor(outputTap, tenantId);

  beforeAll(async () => {
    await initialiseAndMigrate(identityDataSource);
    identity = new IdentityService(identityDataSource);
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    outputTap = await TopicTap.open('sla.events.v1');
    acceptedTap = await TopicTap.open('interactions.accepted.v1');
    const env = { DATABASE_URL: databaseUrl };
    services.push(await startService('intake', 13201, env));
    services.push(await startService('sla', 13202, env));
    intakeUrl = services[0].url;
    slaUrl = services[1].url;
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await outputTap?.close();
    await acceptedTap?.close();
    await db?.end();
    await identityDataSource.destroy();
  });

  it.each(['business-hours', 'late-reply', 'pause-and-promises'])('the spec example %s', async (example) => {
    const keys = await tenant(example);
    const configText = readFileSync(path.join(EXAMPLES, `${example}.config.yaml`), 'utf8');
    await putConfig(keys, configText, 'application/yaml');
    const sent = readFileSync(path.join(EXAMPLES, `${example}.events.jsonl`), 'utf8')
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => JSON.parse(line) as Json);
    // One at a time, each applied before the next: the arrival order is the file order,
    // across conversations too (a customer's entity sees them in that order).
    let accepted = 0;
    for (const event of sent) {
      accepted += (await post(keys, [event])).accepted;
      await expectEventually(async () => expect(await appliedCount(keys.tenantId)).toBe(accepted), 30_000, 20);
    }
    await settled(keys.tenantId, accepted);
    const live = published(keys.tenantId);
    const oracle = await simulate(configText, acceptedInSentOrder(acceptedTap, keys.tenantId, sent), new Date().toISOString());
    expect(oracle.length).toBeGreaterThan(0);
    expectSameOutput(live, oracle);
  });

  describe('a generated stream of 4,000 events over 400 conversations', () => {
    let keys: Keys;
    let other: Keys;
    let live: Published[] = [];
    const start = Date.now() - 150 * 86_400_000;

    beforeAll(async () => {
      keys = await tenant('stream');
      other = await tenant('other');
      await putConfig(keys, JSON.stringify(STREAM_CONFIG), 'application/json');
      await putConfig(other, JSON.stringify(STREAM_CONFIG), 'application/json');
      const stream = new InteractionStream({ events: 4000, conversations: 400, seed: 5, start, days: 20, idPrefix: `${randomUUID().slice(0, 6)}-` });
      const sent: Json[] = [];
      for (let chunk = stream.next(100); chunk.length > 0; chunk = stream.next(100)) {
        // One customer per conversation: conversations are independent of one another, so
        // the order across partitions cannot matter.
        sent.push(...chunk.map(({ event }) => ({ ...event, receivedAt: undefined, customerId: `of-${event.conversationId}` })));
      }
      let accepted = 0;
      for (let i = 0; i < sent.length; i += 200) accepted += (await post(keys, sent.slice(i, i + 200))).accepted;
      await settled(keys.tenantId, accepted);
      live = published(keys.tenantId);
      const oracle = await simulate(JSON.stringify(STREAM_CONFIG), acceptedInSentOrder(acceptedTap, keys.tenantId, sent), new Date().toISOString());
      expect(oracle.length).toBeGreaterThan(1000);
      expectSameOutput(live, oracle);
    }, 300_000);

    const get = (key: string, url: string, accept = 'application/json') => fetch(`${slaUrl}${url}`, { headers: { authorization: `Bearer ${key}`, accept } });

    it('serves a conversation with its clocks, commitments and timeline, and explains its clocks', async () => {
      const { rows } = await db.query(
        `SELECT entity_id FROM sla.entities WHERE tenant_id = $1 AND kind = 'conversation' AND jsonb_array_length(state->'clocks') > 0 ORDER BY entity_id LIMIT 1`,
        [keys.tenantId],
      );
      expect(rows).toHaveLength(1);
      const id = rows[0].entity_id as string;
      const response = await get(keys.read, `/v1/conversations/${encodeURIComponent(id)}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { id: string; clocks: Json[]; timeline: Json[]; links: Json };
      expect(body.id).toBe(id);
      expect(body.clocks.length).toBeGreaterThan(0);
      const interactions = body.timeline.filter((entry) => entry['source'] === 'interaction');
      const outputs = body.timeline.filter((entry) => entry['source'] === 'sla');
      expect(interactions.length).toBe((await db.query(`SELECT count(*)::int AS n FROM sla.applied_events WHERE tenant_id = $1 AND event->>'conversationId' = $2`, [keys.tenantId, id])).rows[0].n);
      // Every output of the conversation, listed by event time (the stream lists them in emission order).
      // (The timeline's events come from jsonb, which orders keys its own way.)
      const canonical = (event: unknown) => JSON.stringify(Object.fromEntries(Object.entries(event as Json).sort(([a], [b]) => (a < b ? -1 : 1))));
      const sorted = (events: unknown[]) => events.map(canonical).sort();
      expect(sorted(outputs.map((entry) => entry['event']))).toEqual(sorted(live.filter((record) => record.event['conversationId'] === id).map((record) => record.event)));
      const instants = body.timeline.map((entry) => Date.parse(String(entry['at'])));
      expect(instants).toEqual([...instants].sort((a, b) => a - b));

      const explained = await get(keys.read, `/v1/conversations/${encodeURIComponent(id)}/explain`);
      expect(explained.status).toBe(200);
      const explanation = (await explained.json()) as { clocks: Array<{ metric: string; steps: Json[]; text: string; countedMs: number; targetMs: number }> };
      expect(explanation.clocks.map((clock) => clock.metric)).toEqual(body.clocks.map((clock) => clock['metric']));
      for (const clock of explanation.clocks) {
        expect(clock.text.length).toBeGreaterThan(0);
        // The counted steps add up to the counted time (up to the target when it is due).
        const counted = clock.steps.reduce((sum, step) => sum + Number(step['countedMs']), 0);
        expect(counted).toBeGreaterThan(0);
      }
    });

    it('lists the work at risk soonest first, breached ones marked', async () => {
      const response = await get(keys.read, '/v1/at-risk?within=1h&limit=100');
      expect(response.status).toBe(200);
      const body = (await response.json()) as { items: Array<{ dueAt: string; breached: boolean; conversationId: string }> };
      expect(body.items.length).toBeGreaterThan(0);
      const dues = body.items.map((item) => item.dueAt);
      expect(dues).toEqual([...dues].sort());
      // The whole stream lies in the past: everything open is overdue.
      expect(body.items.every((item) => item.breached)).toBe(true);
      const team = await get(keys.read, '/v1/at-risk?within=1h&team=nl&limit=100');
      const teamItems = ((await team.json()) as { items: Array<{ team: string }> }).items;
      expect(teamItems.length).toBeGreaterThan(0);
      expect(teamItems.every((item) => item.team === 'nl')).toBe(true);
      const bad = await get(keys.read, '/v1/at-risk?within=soon&limit=0');
      expect(bad.status).toBe(400);
      const problem = (await bad.json()) as { errors: Array<{ field: string }> };
      expect(problem.errors.map((error) => error.field).sort()).toEqual(['limit', 'within']);
    });

    it('serves a customer with commitments both ways and the promise history', async () => {
      const { rows } = await db.query(`SELECT customer_id FROM sla.output_events WHERE tenant_id = $1 AND type = 'promise.broken' ORDER BY customer_id LIMIT 1`, [keys.tenantId]);
      expect(rows).toHaveLength(1);
      const response = await get(keys.read, `/v1/customers/${encodeURIComponent(rows[0].customer_id as string)}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { recentEvents: Json[]; commitments: { ours: Json[]; theirs: Json[] }; brokenPattern: { threshold: number } };
      expect(body.recentEvents.some((event) => event['type'] === 'promise.broken')).toBe(true);
      expect(body.brokenPattern.threshold).toBe(2);
    });

    it('serves metrics from the aggregates that agree with the finished clocks, as JSON and CSV', async () => {
      const from = new Date(start - 86_400_000).toISOString();
      const to = new Date().toISOString();
      const response = await get(keys.read, `/v1/metrics?from=${from}&to=${to}&groupBy=metric&interval=day`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { groups: Array<{ group: string; total: { clocksFinished: number; met: number; countedMs: { p50: number | null } } }> };
      const exact = await db.query(
        `SELECT metric, count(*)::int AS finished, count(*) FILTER (WHERE verdict = 'met')::int AS met,
                percentile_disc(0.5) WITHIN GROUP (ORDER BY counted_ms) FILTER (WHERE verdict = 'met') AS p50
           FROM sla.finished_clocks WHERE tenant_id = $1 GROUP BY metric ORDER BY metric`,
        [keys.tenantId],
      );
      expect(exact.rows.length).toBeGreaterThan(0);
      const finishedInStream = live.filter((record) => record.event['type'] === 'sla.met' || record.event['type'] === 'sla.cancelled').length;
      expect(exact.rows.reduce((sum, row) => sum + (row.finished as number), 0)).toBe(finishedInStream);
      for (const row of exact.rows) {
        const group = body.groups.find((candidate) => candidate.group === row.metric);
        expect(group?.total.clocksFinished).toBe(row.finished);
        expect(group?.total.met).toBe(row.met);
        if (row.met > 0) {
          // DDSketch with 1 % relative accuracy (the rank rule may pick a neighbour near ties).
          const p50 = group?.total.countedMs.p50 ?? 0;
          expect(Math.abs(p50 - Number(row.p50))).toBeLessThanOrEqual(Math.max(1000, Number(row.p50) * 0.02));
        }
      }
      const csv = await get(keys.read, `/v1/metrics?from=${from}&to=${to}&groupBy=team&interval=day`, 'text/csv');
      expect(csv.headers.get('content-type')).toContain('text/csv');
      const lines = (await csv.text()).trim().split('\r\n');
      expect(lines[0]).toMatch(/^group,bucket,clocks_finished,met,met_on_time,met_on_time_pct,breached/);
      expect(lines.filter((line) => line.startsWith('nl,total,'))).toHaveLength(1);
      // Prometheus (loopback, no token set): the service's own gauges are there, with values.
      const exposition = await (await fetch(`${slaUrl}/metrics`)).text();
      for (const gauge of ['sla_outbox_backlog', 'sla_sketch_bins_unfolded', 'sla_consumer_lag']) {
        expect(exposition).toMatch(new RegExp(`^${gauge} \\d+$`, 'm'));
      }
      const bad = await get(keys.read, `/v1/metrics?from=yesterday&groupBy=colour`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field).sort()).toEqual(['from', 'groupBy']);
    });

    it('lists the worst cases of a metric, worst first, with links', async () => {
      const response = await get(keys.read, '/v1/metrics/outliers?metric=first_response&limit=5');
      expect(response.status).toBe(200);
      const body = (await response.json()) as { items: Array<{ overrunMs: number; links: { conversation: string } }> };
      expect(body.items).toHaveLength(5);
      const overruns = body.items.map((item) => item.overrunMs);
      expect(overruns).toEqual([...overruns].sort((a, b) => b - a));
      const worst = await db.query(`SELECT max(counted_ms - target_ms)::bigint AS m FROM sla.finished_clocks WHERE tenant_id = $1 AND metric = 'first_response'`, [keys.tenantId]);
      expect(overruns[0]).toBe(Number(worst.rows[0].m));
      const linked = await get(keys.read, body.items[0].links.conversation);
      expect(linked.status).toBe(200);
    });

    /** Counted-time sketches per cell, packed and not yet folded together (one statement: the service folds meanwhile). */
    const sketchesOf = async (tenantId: string) => {
      const { rows } = await db.query(
        `SELECT grain, dimension, bucket, value, bins, NULL::int AS bin, NULL::float8 AS count FROM sla.metric_sketches WHERE tenant_id = $1
         UNION ALL SELECT grain, dimension, bucket, value, NULL, bin, count::float8 FROM sla.metric_sketch_bins WHERE tenant_id = $1`,
        [tenantId],
      );
      const cells = new Map<string, SketchBins>();
      for (const row of rows) {
        const key = `${row.grain} ${row.dimension} ${(row.bucket as Date).toISOString()} ${row.value}`;
        const bins = cells.get(key) ?? new Map<number, number>();
        cells.set(key, bins);
        if (row.bins) addPackedSketch(bins, row.bins as Buffer);
        else bins.set(row.bin as number, (bins.get(row.bin as number) ?? 0) + (row.count as number));
      }
      // A cell with counters and no counted time is packed with an empty sketch: it holds no bins either way.
      return [...cells.entries()]
        .filter(([, bins]) => bins.size > 0)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([cell, bins]) => [cell, [...bins.entries()].sort(([a], [b]) => a - b)]);
    };

    /** Counters per cell, packed and not yet folded together (one statement, as above). */
    const countersOf = async (tenantId: string) => {
      const { rows } = await db.query(
        `SELECT grain, dimension, bucket, value, counters AS packed, NULL::float8[] AS counters FROM sla.metric_sketches WHERE tenant_id = $1 AND counters IS NOT NULL
         UNION ALL SELECT grain, dimension, bucket, value, NULL, ARRAY[${COUNTER_COLUMNS.map((column) => `"${column}"`).join(', ')}]::float8[] FROM sla.metric_counters WHERE tenant_id = $1`,
        [tenantId],
      );
      const cells = new Map<string, Float64Array>();
      for (const row of rows) {
        const key = `${row.grain} ${row.dimension} ${(row.bucket as Date).toISOString()} ${row.value}`;
        const counters = cells.get(key) ?? new Float64Array(COUNTER_COLUMNS.length);
        cells.set(key, counters);
        if (row.packed) addPackedCounters(counters, row.packed as Buffer);
        else (row.counters as number[]).forEach((value, i) => (counters[i] += value));
      }
      return [...cells.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([cell, counters]) => [cell, [...counters]]);
    };

    it('replays the tenant from its retained history to the same state, aggregates and ledger, publishing nothing again', async () => {
      const snapshot = async () => ({
        entities: (await db.query(`SELECT kind, entity_id, state, next_due_at, open_due_at, customer_id, team FROM sla.entities WHERE tenant_id = $1 ORDER BY kind, entity_id`, [keys.tenantId])).rows,
        finished: (await db.query(`SELECT * FROM sla.finished_clocks WHERE tenant_id = $1 ORDER BY conversation_id, metric, cycle`, [keys.tenantId])).rows,
        counters: await countersOf(keys.tenantId),
        sketches: await sketchesOf(keys.tenantId),
        ledger: (await db.query(`SELECT count(*)::int AS n FROM sla.output_events WHERE tenant_id = $1`, [keys.tenantId])).rows[0].n as number,
      });
      const before = await snapshot();
      expect(before.entities.length).toBeGreaterThan(400);
      expect(before.counters.length).toBeGreaterThan(0);
      expect(before.sketches.length).toBeGreaterThan(0);
      const publishedBefore = published(keys.tenantId).length;
      const replay = async (...extra: string[]) => {
        const { stdout } = await run(process.execPath, [path.join(ROOT, 'scripts/cli.cjs'), 'replay', '--tenant', keys.tenantId, '--from', new Date(start).toISOString(), ...extra], { cwd: ROOT });
        return JSON.parse(stdout) as { events: number; entities: number; outputs: Record<string, number> };
      };
      const expected = { events: await appliedCount(keys.tenantId), entities: before.entities.length };
      const outputs = { computed: before.ledger, unchanged: before.ledger, newPublished: 0, newRecordedOnly: 0, noLongerProduced: 0 };
      expect(await replay('--dry-run')).toMatchObject({ ...expected, dryRun: true, outputs });
      expect(await replay()).toMatchObject({ ...expected, dryRun: false, outputs });
      expect(await snapshot()).toEqual(before);
      // Nothing was queued for publishing again.
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM sla.outbox WHERE headers->>'tenant-id' = $1`, [keys.tenantId]);
      expect(rows[0].n).toBe(0);
      expect(published(keys.tenantId).length).toBe(publishedBefore);
      const usage = await run(process.execPath, [path.join(ROOT, 'scripts/cli.cjs'), 'replay', '--tenant', 'nope', '--from', 'yesterday'], { cwd: ROOT }).catch((error: { code: number; stderr: string }) => error);
      expect(usage).toMatchObject({ code: 2 });
      expect((usage as { stderr: string }).stderr).toContain('--tenant');
    });

    it("never shows one tenant's data to another: 404 or 403 on every endpoint", async () => {
      const { rows } = await db.query(`SELECT entity_id, customer_id FROM sla.entities WHERE tenant_id = $1 AND kind = 'conversation' ORDER BY entity_id LIMIT 1`, [keys.tenantId]);
      const conversation = encodeURIComponent(rows[0].entity_id as string);
      const customer = encodeURIComponent(rows[0].customer_id as string);
      for (const url of [`/v1/conversations/${conversation}`, `/v1/conversations/${conversation}/explain`, `/v1/customers/${customer}`]) {
        expect((await get(other.read, url)).status).toBe(404);
        expect((await get(keys.ingest, url)).status).toBe(403);
        expect((await get(keys.read, url)).status).toBe(200);
      }
      const lists = ['/v1/at-risk?within=1h', `/v1/metrics?from=${new Date(start - 86_400_000).toISOString()}&groupBy=team`, '/v1/metrics/outliers?metric=first_response'];
      for (const url of lists) {
        expect((await get(keys.ingest, url)).status).toBe(403);
        const answer = await get(other.read, url);
        expect(answer.status).toBe(200);
        const body = (await answer.json()) as { items?: unknown[]; groups?: unknown[] };
        expect(body.items ?? body.groups).toEqual([]);
        const own = (await (await get(keys.read, url)).json()) as { items?: unknown[]; groups?: unknown[] };
        expect((own.items ?? own.groups ?? []).length).toBeGreaterThan(0);
      }
      expect((await get(keys.read, '/v1/config')).status).toBe(403);
      const otherConfig = (await (await get(other.admin, '/v1/config')).json()) as { version: number };
      expect(otherConfig.version).toBe(1);
      expect((await fetch(`${slaUrl}/v1/at-risk`)).status).toBe(401);
    });
  });
});
