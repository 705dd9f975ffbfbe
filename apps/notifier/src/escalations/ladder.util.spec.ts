import fc from 'fast-check';

import { compileCalendar, countedBetween, isOpen } from '@pw/sla-engine';

import { causeKey, ladderMatches, type Ladder, ladderToStore, levelOffsetMs, roundsByKey, type SlaEventEnvelope, stepDueAt } from './ladder.util';

const ladder: Ladder = {
  id: 'breach',
  on: ['sla.breached', 'promise.broken'],
  match: { priority: ['high', 'urgent'], tags: ['vip', 'press'] },
  levels: [
    { after: '0m', notify: ['team'] },
    { after: '1h30m', notify: ['leads'] },
  ],
};

function envelope(type: string, context: SlaEventEnvelope['context'], extra: Record<string, unknown> = {}): SlaEventEnvelope {
  return {
    eventId: 'e1',
    tenantId: 't1',
    event: { type, at: '2026-12-04T10:00:00Z', customerId: 'c1', conversationId: 'k1', metric: 'first_response', cycle: 1, ...extra },
    context,
  };
}

describe('ladders', () => {
  it('match on the event type and every match field', () => {
    expect(ladderMatches(ladder, envelope('sla.breached', { priority: 'high', tags: ['press'] }))).toBe(true);
    expect(ladderMatches(ladder, envelope('sla.warning', { priority: 'high', tags: ['press'] }))).toBe(false);
    expect(ladderMatches(ladder, envelope('sla.breached', { priority: 'normal', tags: ['press'] }))).toBe(false);
    expect(ladderMatches(ladder, envelope('sla.breached', { priority: 'high', tags: [] }))).toBe(false);
    expect(ladderMatches(ladder, envelope('sla.breached', undefined))).toBe(false);
    expect(ladderMatches({ ...ladder, match: {} }, envelope('sla.breached', undefined))).toBe(true);
  });

  it('key a clock by conversation, metric and cycle, and a commitment by its id', () => {
    expect(causeKey(envelope('sla.breached', {}))).toBe('clock:k1:first_response:1');
    expect(causeKey(envelope('sla.met', {}))).toBe('clock:k1:first_response:1');
    expect(causeKey(envelope('promise.broken', {}, { promiseId: 'p9' }))).toBe('commitment:p9');
    expect(causeKey(envelope('account.silent', {}))).toBe('silence:c1');
  });

  it('reads level offsets as durations', () => {
    expect(levelOffsetMs(ladder, 0)).toBe(0);
    expect(levelOffsetMs(ladder, 1)).toBe(90 * 60_000);
  });
});

describe('stepDueAt: levels after the first wait for the ladder calendar', () => {
  const officeNl = {
    id: 'office-nl',
    timezone: 'Europe/Amsterdam',
    hours: { mon: ['09:00-12:30', '13:00-17:30'], tue: ['09:00-17:30'], wed: ['09:00-17:30'], thu: ['09:00-17:30'], fri: ['09:00-17:00'] },
    holidays: ['2026-12-25', '2026-12-26', '2027-01-01'],
  };
  const calendarLadder: Ladder = { ...ladder, calendar: 'office-nl', levels: [{ after: '0m', notify: ['team'] }, { after: '30m', notify: ['leads'] }, { after: '4h', notify: ['head'] }] };
  const stored = ladderToStore(calendarLadder, [officeNl]);
  const calendar = compileCalendar(officeNl);

  it('copies the calendar definition into the stored ladder, and none when the ladder names none', () => {
    expect(stored.calendarDefinition).toEqual(officeNl);
    expect(ladderToStore(ladder, [officeNl]).calendarDefinition).toBeUndefined();
  });

  it('pages a level due on Friday night on Monday at opening; the first level at once', () => {
    const fridayNight = Date.parse('2026-12-04T22:00:00Z'); // 23:00 in Amsterdam
    expect(stepDueAt(stored, fridayNight, 0)).toBe(fridayNight);
    expect(new Date(stepDueAt(stored, fridayNight, 1)).toISOString()).toBe('2026-12-07T08:00:00.000Z'); // Mon 09:00 CET
    // Open hours: exactly `after` later. Over lunch: at 13:00.
    const mondayMorning = Date.parse('2026-12-07T09:00:00Z'); // 10:00 CET
    expect(stepDueAt(stored, mondayMorning, 1)).toBe(mondayMorning + 30 * 60_000);
    expect(new Date(stepDueAt(stored, Date.parse('2026-12-07T11:10:00Z'), 1)).toISOString()).toBe('2026-12-07T12:00:00.000Z');
    // Christmas and Boxing Day are closed: the next Monday after them.
    expect(new Date(stepDueAt(stored, Date.parse('2026-12-24T16:00:00Z'), 1)).toISOString()).toBe('2026-12-28T08:00:00.000Z');
  });

  it('for any opening instant (DST changes included): never before `after`, open when paged, nothing open skipped', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2028-01-01T00:00:00Z') }), fc.constantFrom(1, 2), (openedAt, index) => {
        const raw = openedAt + levelOffsetMs(stored, index);
        const due = stepDueAt(stored, openedAt, index);
        expect(due).toBeGreaterThanOrEqual(raw);
        expect(isOpen(calendar, due)).toBe(true);
        expect(countedBetween(calendar, raw, due)).toBe(0);
        // Without a calendar the ladder is wall-clock time.
        expect(stepDueAt({ ...stored, calendarDefinition: undefined }, openedAt, index)).toBe(raw);
      }),
    );
  });
});

describe('roundsByKey', () => {
  it('puts each key at most once in a round and keeps its order across rounds', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.nat()), { maxLength: 40 }), (items) => {
        const rounds = roundsByKey(items, ([key]) => key);
        expect(rounds.flat()).toHaveLength(items.length);
        for (const round of rounds) expect(new Set(round.map(([key]) => key)).size).toBe(round.length);
        for (const key of ['a', 'b', 'c', 'd']) {
          const inOrder = items.filter(([k]) => k === key);
          expect(rounds.flatMap((round) => round.filter(([k]) => k === key))).toEqual(inOrder);
        }
      }),
    );
  });

  it('keeps a batch of distinct keys in one round', () => {
    expect(roundsByKey(['x', 'y', 'z'], (key) => key)).toEqual([['x', 'y', 'z']]);
  });
});
