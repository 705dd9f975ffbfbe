/*
 * Throughput of the clock engine with the in-memory store and the timer heap, on a
 * deterministic, realistic stream: 1,000,000 events over 100,000 conversations.
 *   npm run bench:engine [-- --events N --conversations N --seed N --cpu-profile FILE]
 * --cpu-profile writes a V8 CPU profile of the timed part only (open it in Chrome DevTools).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { formatInstant, normaliseInteractionEvent, validateConfigDocument } from '@pw/contracts';
import { SimulationRunner, SlaEngine, compileEngineConfig } from '@pw/sla-engine';

import type { Channel, ConfigDocument, InteractionEvent, InteractionEventInput, OutputEvent } from '@pw/contracts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    conversations: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '20261120' },
    'cpu-profile': { type: 'string' },
  },
});
const TOTAL_EVENTS = Number(values.events);
const CONVERSATIONS = Number(values.conversations);
const CUSTOMERS = Math.max(1, Math.floor(CONVERSATIONS / 4));
/** Events the stream produces per call. */
const CHUNK = 10_000;

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

/** An event of a conversation's life before it gets its id and instant. */
type DraftEvent = Omit<InteractionEventInput, 'id' | 'occurredAt' | 'conversationId' | 'customerId'>;

interface Draft {
  /** Arrival instant on the timeline: `receivedAt` for a late one, else `occurredAt`. */
  arrivedAt: number;
  seq: number;
  event: InteractionEventInput;
}

/** Drafts in arrival order (then creation order, as the simulator breaks ties). */
class DraftQueue {
  private readonly items: Draft[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Draft | undefined {
    return this.items[0];
  }

  private static before(a: Draft, b: Draft): boolean {
    return a.arrivedAt !== b.arrivedAt ? a.arrivedAt < b.arrivedAt : a.seq < b.seq;
  }

  push(draft: Draft): void {
    const { items } = this;
    let index = items.push(draft) - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!DraftQueue.before(draft, items[parent])) break;
      items[index] = items[parent];
      index = parent;
    }
    items[index] = draft;
  }

  pop(): Draft {
    const { items } = this;
    const top = items[0];
    const last = items.pop() as Draft;
    if (items.length > 0) {
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child = right < items.length && DraftQueue.before(items[right], items[left]) ? right : left;
        if (!DraftQueue.before(items[child], last)) break;
        items[index] = items[child];
        index = child;
      }
      items[index] = last;
    }
    return top;
  }
}

const TIMELINE_START = Date.UTC(2026, 9, 1);
const TIMELINE_DAYS = 90;

/**
 * A deterministic stream of interaction events in arrival order. Each conversation's life
 * (contacts, replies, pauses, commitments, transfers, resolution, re-opening, feedback) is
 * drafted when the stream reaches its start, and merged with the others by arrival instant,
 * so only the conversations under way are in memory: like a consumer reading a topic.
 */
class InteractionStream {
  private readonly pending = new DraftQueue();
  private readonly starts: Array<{ index: number; at: number; budget: number }> = [];
  private nextStart = 0;
  private seq = 0;
  emitted = 0;

  constructor() {
    const perConversation = TOTAL_EVENTS / CONVERSATIONS;
    let total = 0;
    for (let index = 0; index < CONVERSATIONS; index++) {
      const budget = Math.max(2, Math.round(perConversation * (0.5 + random())));
      total += budget;
      this.starts.push({ index, at: TIMELINE_START + Math.floor(random() * TIMELINE_DAYS * DAY), budget });
    }
    // Make the budgets add up to exactly TOTAL_EVENTS.
    for (let i = 0; total !== TOTAL_EVENTS; i = (i + 1) % CONVERSATIONS) {
      const start = this.starts[i];
      if (total > TOTAL_EVENTS && start.budget > 2) {
        start.budget--;
        total--;
      } else if (total < TOTAL_EVENTS) {
        start.budget++;
        total++;
      }
    }
    this.starts.sort((a, b) => a.at - b.at || a.index - b.index);
  }

  /** The next `count` events (fewer at the end), normalised as the simulator normalises them. */
  next(count: number): Array<{ event: InteractionEvent; arrivedAt: number }> {
    const chunk: Array<{ event: InteractionEvent; arrivedAt: number }> = [];
    while (chunk.length < count) {
      const upcoming = this.starts[this.nextStart];
      const head = this.pending.peek();
      if (upcoming && (!head || upcoming.at <= head.arrivedAt)) {
        this.draftConversation(upcoming.index, upcoming.at, upcoming.budget);
        this.nextStart++;
        continue;
      }
      if (!head) break;
      const { event, arrivedAt } = this.pending.pop();
      // Rebuilt from its JSON, as read off the wire: fresh objects, in processing order.
      chunk.push({ event: normaliseInteractionEvent(JSON.parse(JSON.stringify(event))), arrivedAt });
    }
    this.emitted += chunk.length;
    return chunk;
  }

  private draftConversation(index: number, startAt: number, budget: number): void {
    const conversationId = `conv-${index}`;
    const customerNumber = Math.floor(random() * CUSTOMERS);
    const customerId = `cust-${customerNumber}`;
    const segment = customerNumber % 10 === 0 ? 'key' : customerNumber % 3 === 0 ? 'smb' : 'consumer';
    const channel: Channel = pick(['email', 'email', 'email', 'chat', 'phone', 'social', 'web']);
    const team = pick(['nl', 'nl', 'us', 'sg', 'care']);
    const priority = segment === 'key' && chance(0.5) ? pick(['high', 'urgent'] as const) : pick(['low', 'normal', 'normal', 'high'] as const);
    let t = startAt;
    let written = 0;
    const add = (event: DraftEvent) => {
      if (written >= budget) return;
      const seq = this.seq++;
      const full: InteractionEventInput = { ...event, id: `e-${seq}`, source: 'bench', occurredAt: formatInstant(t), conversationId, customerId };
      let arrivedAt = t;
      // About 1% arrive late, up to an hour after they happened; 0.5% are sent twice.
      if (chance(0.01)) {
        arrivedAt = t + Math.floor(random() * HOUR);
        full.receivedAt = formatInstant(arrivedAt);
      }
      if (seq > 0 && chance(0.005)) full.id = `e-${seq - 1}`;
      this.pending.push({ arrivedAt, seq, event: full });
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
        // Solved for good, or the customer comes back (a follow-up days later re-opens it).
        later(chance(0.7) ? 5 * DAY : 2 * DAY);
        add({ kind: 'status', status: 'open' });
      }
      later(channel === 'chat' ? 3 * MINUTE : 8 * HOUR);
      add({ kind: channel === 'phone' ? 'call' : 'message', channel, direction: 'inbound', answered: channel === 'phone' ? chance(0.3) : undefined });
    }
  }
}

async function main(): Promise<void> {
  const compiled = compileEngineConfig(document);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  const counts = new Map<string, number>();
  let outputs = 0;
  const onOutput = (output: OutputEvent) => {
    outputs++;
    counts.set(output.type, (counts.get(output.type) ?? 0) + 1);
  };
  const runner = new SimulationRunner(new SlaEngine('bench', compiled.config), onOutput);
  const stream = new InteractionStream();

  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  let gcMs = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });

  // The whole stream is produced first, in arrival order, and the heap collected: only the
  // engine's work (with the store, the ledger and the timers) is timed.
  const generationStart = process.hrtime.bigint();
  const timeline: Array<{ event: InteractionEvent; arrivedAt: number }> = [];
  for (let chunk = stream.next(CHUNK); chunk.length > 0; chunk = stream.next(CHUNK)) timeline.push(...chunk);
  const generationNs = process.hrtime.bigint() - generationStart;
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();

  const profiler = values['cpu-profile'] ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  sample();
  gcObserver.observe({ type: 'gc' });
  const start = process.hrtime.bigint();
  let duplicates = 0;
  for (let i = 0; i < timeline.length; i++) {
    if (!runner.ingest(timeline[i].event, timeline[i].arrivedAt)) duplicates++;
    if ((i & 0x3fff) === 0) sample();
  }
  runner.advanceTo(timeline[timeline.length - 1].arrivedAt);
  const measuredNs = process.hrtime.bigint() - start;
  sample();
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(values['cpu-profile'] as string, JSON.stringify(profile));
    profiler.disconnect();
  }
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the observer deliver
  gcObserver.disconnect();
  const elapsedMs = Number(measuredNs) / 1e6;
  const generationMs = Number(generationNs) / 1e6;
  const total = timeline.length;

  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const lines = [
    `engine benchmark: ${total.toLocaleString('en')} events, ${runner.store.conversationCount.toLocaleString('en')} conversations, ${CUSTOMERS.toLocaleString('en')} customers`,
    `  generation        ${(generationMs / 1000).toFixed(2)} s (not measured)`,
    `  engine time       ${(elapsedMs / 1000).toFixed(2)} s`,
    `  of which GC       ${(gcMs / 1000).toFixed(2)} s`,
    `  throughput        ${Math.round(total / (elapsedMs / 1000)).toLocaleString('en')} events/s`,
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
