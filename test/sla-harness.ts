import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { Kafka, logLevel } from 'kafkajs';
import type { Client } from 'pg';

import type { IdentityService } from '@pw/identity';
import { expectEventually, type TopicTap } from '@pw/test-support';

import { SLA_CONSUMER_GROUP } from '../apps/sla/src/metrics/sla-prometheus.service';

/** What the end-to-end tests of the sla service share: tenants, publishing, the oracle. */
export const ROOT = path.resolve(__dirname, '..');
export const EXAMPLES = path.resolve(ROOT, '../shared/spec/examples');
export const runFile = promisify(execFile);

export type Json = Record<string, unknown>;

/**
 * Moves the sla service's consumer group to the end of interactions.accepted.v1, while no
 * instance runs: what earlier suites left there (other tenants) is not this suite's work,
 * and a fault hook that counts batches must count this suite's batches, not that backlog.
 */
export async function skipAcceptedBacklog(brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',')): Promise<void> {
  const topic = 'interactions.accepted.v1';
  const admin = new Kafka({ clientId: 'sla-test-harness', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    // A member of an instance killed by an earlier suite stays in the group until its session
    // times out; the offsets can be set only once the group is empty.
    await expectEventually(async () => {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId: SLA_CONSUMER_GROUP, topic, partitions: ends.map(({ partition, offset }) => ({ partition, offset })) });
    }, 60_000);
  } finally {
    await admin.disconnect();
  }
}

export interface Keys {
  tenantId: string;
  ingest: string;
  read: string;
  admin: string;
}

export interface Published {
  eventId: string;
  tenantId: string;
  event: Json;
}

export async function createTenant(identity: IdentityService, label: string): Promise<Keys> {
  const name = `${label}-${randomUUID().slice(0, 8)}`;
  const tenantId = (await identity.createTenant(name)).id;
  return {
    tenantId,
    ingest: (await identity.createKey(name, ['ingest'])).key,
    read: (await identity.createKey(name, ['read'])).key,
    admin: (await identity.createKey(name, ['admin'])).key,
  };
}

export async function putConfig(slaUrl: string, keys: Keys, body: string, contentType: string): Promise<void> {
  const response = await fetch(`${slaUrl}/v1/config`, { method: 'PUT', headers: { authorization: `Bearer ${keys.admin}`, 'content-type': contentType }, body });
  expect(response.status).toBe(200);
}

/** Posts as a well-behaved publisher does: over the tenant's rate limit, it waits as told. */
export async function postInteractions(intakeUrl: string, keys: Keys, events: unknown[]): Promise<{ accepted: number; duplicates: number }> {
  let response: Response;
  for (;;) {
    response = await fetch(`${intakeUrl}/v1/interactions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.ingest}`, 'content-type': 'application/json' },
      body: JSON.stringify(events),
    });
    if (response.status !== 429) break;
    await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? '1') * 1000));
  }
  expect(response.status).toBe(202);
  return (await response.json()) as { accepted: number; duplicates: number };
}

export async function appliedCount(db: Client, tenantId: string): Promise<number> {
  const { rows } = await db.query('SELECT count(*)::int AS n FROM sla.applied_events WHERE tenant_id = $1', [tenantId]);
  return rows[0].n as number;
}

export function publishedFor(outputTap: TopicTap, tenantId: string): Published[] {
  return outputTap.json<Published>().filter((record) => record.tenantId === tenantId);
}

/**
 * Waits until the live run is done with what is due now: all applied, no timer due, and as
 * many distinct events published as the ledger recorded (a re-send carries the same eventId).
 */
export async function settled(db: Client, outputTap: TopicTap, tenantId: string, accepted: number, timeoutMs = 120_000): Promise<void> {
  await expectEventually(
    async () => {
      expect(await appliedCount(db, tenantId)).toBe(accepted);
      const due = await db.query('SELECT count(*)::int AS n FROM sla.entities WHERE tenant_id = $1 AND next_due_at <= now()', [tenantId]);
      expect(due.rows[0].n).toBe(0);
      const recorded = await db.query('SELECT count(*)::int AS n FROM sla.output_events WHERE tenant_id = $1', [tenantId]);
      expect(new Set(publishedFor(outputTap, tenantId).map((record) => record.eventId)).size).toBe(recorded.rows[0].n);
    },
    timeoutMs,
    200,
  );
}

/** The accepted events (as intake stamped them) of a tenant, in the order they were first sent. */
export function acceptedInSentOrder(acceptedTap: TopicTap, tenantId: string, sent: Json[]): Json[] {
  const accepted = new Map<string, Json>();
  for (const record of acceptedTap.json<{ tenantId: string; event: Json }>()) {
    if (record.tenantId === tenantId && !accepted.has(String(record.event['id']))) accepted.set(String(record.event['id']), record.event);
  }
  const ordered: Json[] = [];
  for (const event of sent) {
    const match = accepted.get(String(event['id']));
    if (!match) continue;
    ordered.push(match);
    accepted.delete(String(event['id']));
  }
  return ordered;
}

/** The simulator's output (`cli simulate`) for the same configuration and events. */
export async function simulate(configText: string, events: Json[], until: string): Promise<Json[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pw-oracle-'));
  writeFileSync(path.join(dir, 'config.yaml'), configText);
  writeFileSync(path.join(dir, 'events.jsonl'), events.map((event) => JSON.stringify(event)).join('\n'));
  const { stdout } = await runFile(
    process.execPath,
    [path.join(ROOT, 'scripts/cli.cjs'), 'simulate', '--config', path.join(dir, 'config.yaml'), '--events', path.join(dir, 'events.jsonl'), '--until', until],
    { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 },
  );
  return stdout
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as Json);
}

function outputKey(event: Json): string {
  return String(event['conversationId'] ?? `customer:${String(event['customerId'])}`);
}

function byKey(events: Json[]): Map<string, Json[]> {
  const keyed = new Map<string, Json[]>();
  for (const event of events) {
    const key = outputKey(event);
    keyed.set(key, [...(keyed.get(key) ?? []), event]);
  }
  return keyed;
}

/** Live output equals the oracle per conversation and per customer, in order; no eventId twice. */
export function expectSameOutput(live: Published[], oracle: Json[]): void {
  expect(live.length).toBeGreaterThan(0);
  expect(new Set(live.map((record) => record.eventId)).size).toBe(live.length);
  const liveByKey = byKey(live.map((record) => record.event));
  const oracleByKey = byKey(oracle);
  expect([...liveByKey.keys()].sort()).toEqual([...oracleByKey.keys()].sort());
  for (const [key, events] of oracleByKey) expect({ key, events: liveByKey.get(key) }).toEqual({ key, events });
}
