/*
 * Throughput of the clock engine with the in-memory store and the timer heap, on a
 * deterministic, realistic stream: 1,000,000 events over 100,000 conversations.
 *   npm run bench:engine [-- --events N --conversations N --seed N]
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

import { formatInstant, validateConfigDocument } from '@pw/contracts';
import { SimulationRunner, SlaEngine, arrivalInstant, compileEngineConfig } from '@pw/sla-engine';

import type { Channel, ConfigDocument, InteractionEvent, OutputEvent } from '@pw/contracts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    conversations: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '20261120' },
  },
});
const TOTAL_EVENTS = Number(values.events);
const CONVERSATIONS = Number(values.conversations);
const CUSTOMERS = Math.max(1, Math.floor(CONVERSATIONS / 4));

/** mulberry32: small, fast and good enough for test data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(Number(values.seed));
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const chance = (p: number) => random() < p;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const document: ConfigDocument = (() => {
  const raw = {
    version: 1,
    calendars: [
      { id: 'always', timezone: 'UTC', hours: '24x7' },
      {
        id: 'office-nl',
        timezone: 'Europe/Amsterdam',
        hours: { mon: ['09:00-12:30', '13:00-17:30'], tue: ['09:00-17:30'], wed: ['09:00-17:30'], thu: ['09:00-17:30'], fri: ['09:00-17:00'] },
        holidays: ['2026-12-25', '2026-12-26', '2027-01-01'],
      },
      {
        id: 'office-ny',
        timezone: 'America/New_York',
        hours: { mon: ['08:00-18:00'], tue: ['08:00-18:00'], wed: ['08:00-18:00'], thu: ['08:00-18:00'], fri: ['08:00-16:00'] },
        holidays: ['2026-11-26', '2026-12-25'],
      },
      {
        id: 'office-sg',
        timezone: 'Asia/Singapore',
        hours: { mon: ['09:00-18:00'], tue: ['09:00-18:00'], wed: ['09:00-18:00'], thu: ['09:00-18:00'], fri: ['09:00-18:00'], sat: ['10:00-14:00'] },
      },
    ],
    policies: [
      {
        id: 'key-accounts',
        match: { segment: ['key'], priority: ['high', 'urgent'] },
        calendar: 'always',
        targets: { acknowledgement: '15m', first_response: '1h', next_response: '2h', periodic_update: '8h', resolution: '24h' },
        warnAt: [0.5, 0.8],
        pauseOn: ['pending_customer', 'on_hold'],
      },
      { id: 'email-nl', match: { channel: ['email'], team: ['nl'] }, calendar: 'office-nl', targets: { first_response: '4h', next_response: '8h', resolution: '40h' }, warnAt: [0.75], pauseOn: ['pending_customer'] },
      { id: 'email-us', match: { channel: ['email'], team: ['us'] }, calendar: 'office-ny', targets: { first_response: '4h', next_response: '8h', resolution: '40h' }, warnAt: [0.75], pauseOn: ['pending_customer'] },
      { id: 'apac', match: { team: ['sg'] }, calendar: 'office-sg', targets: { first_response: '2h', next_response: '4h', resolution: '3d' }, warnAt: [0.5], pauseOn: ['pending_customer'] },
      { id: 'chat', match: { channel: ['chat', 'social'] }, calendar: 'always', targets: { acknowledgement: '2m', first_response: '10m', next_response: '10m' }, warnAt: [0.8] },
      { id: 'default', match: {}, calendar: 'always', targets: { first_response: '24h', resolution: '5d' }, pauseOn: ['pending_customer', 'on_hold'] },
    ],
    promises: { provider: { warnBefore: '2h' }, customer: { warnBefore: '0m', pattern: { threshold: 2, window: '30d' } } },
    silence: [{ match: { segment: ['key'] }, within: '30d' }],
    transfers: { max: 2 },
    feedback: { detractor: { csat: 2, nps: 6 } },
  };
  const result = validateConfigDocument(raw);
  if (!result.ok) throw new Error(`bench config: ${JSON.stringify(result.problems)}`);
  return result.document;
})();

interface Draft {
  at: number;
  seq: number;
  event: Omit<InteractionEvent, 'occurredAt' | 'id' | 'source' | 'automated' | 'answered'> & Partial<InteractionEvent>;
}

/** Writes one conversation's life: contacts, replies, pauses, commitments, resolution. */
function draftConversation(index: number, drafts: Draft[], budget: number): void {
  const conversationId = `conv-${index}`;
  const customerNumber = Math.floor(random() * CUSTOMERS);
  const customerId = `cust-${customerNumber}`;
  const segment = customerNumber % 10 === 0 ? 'key' : customerNumber % 3 === 0 ? 'smb' : 'consumer';
  const channel: Channel = pick(['email', 'email', 'email', 'chat', 'phone', 'social', 'web']);
  const team = pick(['nl', 'nl', 'us', 'sg', 'care']);
  const priority = segment === 'key' && chance(0.5) ? pick(['high', 'urgent'] as const) : pick(['low', 'normal', 'normal', 'high'] as const);
  let t = Date.UTC(2026, 9, 1) + Math.floor(random() * 90 * DAY);
  let written = 0;
  const add = (event: Draft['event']) => {
    if (written >= budget) return;
    drafts.push({ at: t, seq: drafts.length, event: { conversationId, customerId, ...event } });
    written++;
  };
  const later = (mean: number) => {
    t += Math.max(1000, Math.floor(-Math.log(1 - random()) * mean));
  };
  add({ kind: 'message', channel, direction: 'inbound', priority, team, segment, tags: chance(0.2) ? ['billing'] : undefined });
  if (channel === 'email' && chance(0.6)) {
    later(MINUTE);
    add({ kind: 'message', channel, direction: 'outbound', automated: true });
  }
  while (written < budget) {
    later(channel === 'chat' ? 5 * MINUTE : 3 * HOUR);
    add({ kind: channel === 'phone' ? 'call' : 'message', channel, direction: 'outbound', agent: 'agent' });
    const roll = random();
    if (roll < 0.15) {
      later(30 * MINUTE);
      add({ kind: 'status', status: 'pending_customer' });
      later(6 * HOUR);
      add({ kind: 'message', channel, direction: 'inbound' });
      add({ kind: 'status', status: 'open' });
    } else if (roll < 0.3) {
      later(10 * MINUTE);
      const promiseId = `p-${index}-${written}`;
      const by = chance(0.7) ? 'provider' : 'customer';
      add({ kind: 'promise.made', promise: { id: promiseId, by, dueAt: formatInstant(t + 4 * HOUR), description: 'call back' } });
      later(3 * HOUR);
      if (chance(0.75)) add({ kind: 'promise.kept', promise: { id: promiseId, by } });
      else if (chance(0.3)) add({ kind: 'promise.made', promise: { id: promiseId, by, dueAt: formatInstant(t + DAY) } });
    } else if (roll < 0.36) {
      later(20 * MINUTE);
      add({ kind: 'transfer', toTeam: pick(['nl', 'us', 'sg', 'care']) });
    } else if (roll < 0.45) {
      later(HOUR);
      add({ kind: 'note', agent: 'agent', priority: pick(['normal', 'high', 'urgent'] as const) });
    }
    if (chance(0.35)) {
      later(HOUR);
      add({ kind: 'status', status: 'solved' });
      if (chance(0.3)) {
        later(DAY);
        add({ kind: 'feedback', rating: chance(0.5) ? { scale: 'csat', score: 1 + Math.floor(random() * 5) } : { scale: 'nps', score: Math.floor(random() * 11) } });
      }
      if (chance(0.7)) return;
      later(2 * DAY);
      add({ kind: 'status', status: 'open' });
    }
    later(channel === 'chat' ? 3 * MINUTE : 8 * HOUR);
    add({ kind: channel === 'phone' ? 'call' : 'message', channel, direction: 'inbound', answered: channel === 'phone' ? chance(0.3) : undefined });
  }
}

function generate(): InteractionEvent[] {
  const drafts: Draft[] = [];
  const perConversation = TOTAL_EVENTS / CONVERSATIONS;
  for (let index = 0; index < CONVERSATIONS && drafts.length < TOTAL_EVENTS; index++) {
    const budget = Math.max(2, Math.round(perConversation * (0.5 + random())));
    draftConversation(index, drafts, Math.min(budget, TOTAL_EVENTS - drafts.length));
  }
  while (drafts.length < TOTAL_EVENTS) draftConversation(Math.floor(random() * CONVERSATIONS), drafts, TOTAL_EVENTS - drafts.length);
  drafts.sort((a, b) => a.at - b.at || a.seq - b.seq);
  return drafts.map(({ at, seq, event }) => {
    const full: InteractionEvent = { source: 'bench', automated: false, answered: true, ...event, id: `e-${seq}`, occurredAt: formatInstant(at) } as InteractionEvent;
    // About 1% arrive late, up to an hour after they happened; 0.5% are sent twice.
    if (chance(0.01)) full.receivedAt = formatInstant(at + Math.floor(random() * HOUR));
    if (chance(0.005)) full.id = `e-${Math.max(0, seq - 1)}`;
    return full;
  });
}

async function main(): Promise<void> {
  const generationStart = process.hrtime.bigint();
  const events = generate();
  // In arrival order, each event rebuilt from its JSON, as the simulator or a consumer gets it
  // off the wire: fresh objects laid out in the order they are processed. (Drafting them per
  // conversation leaves them scattered, which would measure cache misses, not the engine.)
  const timeline = events
    .map((event) => ({ event, arrivedAt: arrivalInstant(event) }))
    .sort((a, b) => a.arrivedAt - b.arrivedAt)
    .map(({ event, arrivedAt }) => ({ event: JSON.parse(JSON.stringify(event)) as InteractionEvent, arrivedAt }));
  const generationMs = Number(process.hrtime.bigint() - generationStart) / 1e6;

  const compiled = compileEngineConfig(document);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  const counts = new Map<string, number>();
  let outputs = 0;
  const onOutput = (output: OutputEvent) => {
    outputs++;
    counts.set(output.type, (counts.get(output.type) ?? 0) + 1);
  };
  const runner = new SimulationRunner(new SlaEngine('bench', compiled.config), onOutput);

  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  sample();
  let gcMs = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  gcObserver.observe({ type: 'gc', buffered: true });
  const start = process.hrtime.bigint();
  let duplicates = 0;
  for (let i = 0; i < timeline.length; i++) {
    if (!runner.ingest(timeline[i].event, timeline[i].arrivedAt)) duplicates++;
    if ((i & 0xffff) === 0) sample();
  }
  runner.advanceTo(timeline[timeline.length - 1].arrivedAt);
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  sample();
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the observer deliver
  gcObserver.disconnect();

  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const lines = [
    `engine benchmark: ${timeline.length.toLocaleString('en')} events, ${runner.store.conversationCount.toLocaleString('en')} conversations, ${CUSTOMERS.toLocaleString('en')} customers`,
    `  generation        ${(generationMs / 1000).toFixed(2)} s (not measured)`,
    `  total time        ${(elapsedMs / 1000).toFixed(2)} s (of which garbage collection ${(gcMs / 1000).toFixed(2)} s)`,
    `  throughput        ${Math.round(timeline.length / (elapsedMs / 1000)).toLocaleString('en')} events/s`,
    `  output events     ${outputs.toLocaleString('en')} (duplicates ignored: ${duplicates.toLocaleString('en')})`,
    `  peak RSS          ${mb(peakRss)}`,
    `  peak heap used    ${mb(peakHeap)}`,
    `  node              ${process.version} on ${process.platform}/${process.arch}`,
    '  outputs by type:',
    ...[...counts.entries()].sort((a, b) => b[1] - a[1]).map(([type, count]) => `    ${type.padEnd(28)} ${count.toLocaleString('en')}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
