/*
 * A deterministic, realistic stream of interaction events for benchmarks and the oracle
 * tests: conversations with contacts, replies, pauses, commitments both ways, transfers,
 * resolutions, re-openings and feedback; about 1 % late arrivals and 0.5 % resent events.
 */
import { formatInstant, normaliseInteractionEvent, validateConfigDocument } from '@pw/contracts';

import type { Channel, ConfigDocument, InteractionEvent, InteractionEventInput } from '@pw/contracts';

export interface InteractionStreamOptions {
  events: number;
  conversations: number;
  seed: number;
  /** Distinct customers the conversations are spread over (default: a quarter of them). */
  customers?: number;
  /** First instant of the timeline (default 2026-10-01) and its length in days (default 90). */
  start?: number;
  days?: number;
  /** Prefixed to conversation, customer and event ids, so that runs do not collide. */
  idPrefix?: string;
}

/** mulberry32: small, fast and good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The configuration the generated conversations are meant for: four calendars, six policies, every rule. */
export const STREAM_CONFIG: ConfigDocument = (() => {
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
  if (!result.ok) throw new Error(`stream config: ${JSON.stringify(result.problems)}`);
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


/**
 * A deterministic stream of interaction events in arrival order. Each conversation's life
 * (contacts, replies, pauses, commitments, transfers, resolution, re-opening, feedback) is
 * drafted when the stream reaches its start, and merged with the others by arrival instant,
 * so only the conversations under way are in memory: like a consumer reading a topic.
 */
export class InteractionStream {
  private readonly pending = new DraftQueue();
  private readonly starts: Array<{ index: number; at: number; budget: number }> = [];
  private nextStart = 0;
  private seq = 0;
  emitted = 0;

  private readonly random: () => number;
  private readonly totalEvents: number;
  private readonly conversations: number;
  readonly customers: number;
  private readonly timelineStart: number;
  private readonly timelineDays: number;
  private readonly idPrefix: string;

  constructor(options: InteractionStreamOptions) {
    this.random = prng(options.seed);
    this.totalEvents = options.events;
    this.conversations = options.conversations;
    this.customers = options.customers ?? Math.max(1, Math.floor(options.conversations / 4));
    this.timelineStart = options.start ?? Date.UTC(2026, 9, 1);
    this.timelineDays = options.days ?? 90;
    this.idPrefix = options.idPrefix ?? '';
    const { random } = this;
    const TOTAL_EVENTS = this.totalEvents;
    const CONVERSATIONS = this.conversations;
    const perConversation = TOTAL_EVENTS / CONVERSATIONS;
    let total = 0;
    for (let index = 0; index < CONVERSATIONS; index++) {
      const budget = Math.max(2, Math.round(perConversation * (0.5 + random())));
      total += budget;
      this.starts.push({ index, at: this.timelineStart + Math.floor(random() * this.timelineDays * DAY), budget });
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
    const { random } = this;
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const chance = (p: number) => random() < p;
    const conversationId = `${this.idPrefix}conv-${index}`;
    const customerNumber = Math.floor(random() * this.customers);
    const customerId = `${this.idPrefix}cust-${customerNumber}`;
    const segment = customerNumber % 10 === 0 ? 'key' : customerNumber % 3 === 0 ? 'smb' : 'consumer';
    const channel: Channel = pick(['email', 'email', 'email', 'chat', 'phone', 'social', 'web']);
    const team = pick(['nl', 'nl', 'us', 'sg', 'care']);
    const priority = segment === 'key' && chance(0.5) ? pick(['high', 'urgent'] as const) : pick(['low', 'normal', 'normal', 'high'] as const);
    let t = startAt;
    let written = 0;
    const add = (event: DraftEvent) => {
      if (written >= budget) return;
      const seq = this.seq++;
      const full: InteractionEventInput = { ...event, id: `${this.idPrefix}e-${seq}`, source: 'bench', occurredAt: formatInstant(t), conversationId, customerId };
      let arrivedAt = t;
      // About 1% arrive late, up to an hour after they happened; 0.5% are sent twice.
      if (chance(0.01)) {
        arrivedAt = t + Math.floor(random() * HOUR);
        full.receivedAt = formatInstant(arrivedAt);
      }
      if (seq > 0 && chance(0.005)) full.id = `${this.idPrefix}e-${seq - 1}`;
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

