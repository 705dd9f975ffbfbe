import {
  CALENDAR_DEFINITION_INVALID,
  CalendarDefinitionError,
  HORIZON_END,
  addCounted,
  closedSpans,
  compileCalendar,
  countedBetween,
  isOpen,
  nextOpenInstant,
  openIntervals,
} from './index';

import type { Calendar, CalendarDefinition } from './index';

const at = (iso: string) => Date.parse(iso);
const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString().replace('.000Z', 'Z') : String(t));
const H = 3_600_000;
const M = 60_000;
const spans = (list: Array<{ start: number; end: number }>) => list.map((s) => `${iso(s.start)}/${iso(s.end)}`);

const WEEKDAYS_9_TO_5 = { mon: ['09:00-17:00'], tue: ['09:00-17:00'], wed: ['09:00-17:00'], thu: ['09:00-17:00'], fri: ['09:00-17:00'] };

function office(extra: Partial<CalendarDefinition> = {}): Calendar {
  return compileCalendar({ id: 'office', timezone: 'Europe/Amsterdam', hours: WEEKDAYS_9_TO_5, ...extra });
}

function compileError(def: CalendarDefinition): CalendarDefinitionError {
  try {
    compileCalendar(def);
  } catch (error) {
    if (error instanceof CalendarDefinitionError) return error;
    throw error;
  }
  throw new Error('compileCalendar accepted an invalid definition');
}

describe('compileCalendar', () => {
  it('keeps id and zone', () => {
    const cal = office();
    expect(cal.id).toBe('office');
    expect(cal.timezone).toBe('Europe/Amsterdam');
  });

  it.each([
    [{ timezone: 'Mars/Olympus_Mons' }, 'timezone', '"Mars/Olympus_Mons" is not an IANA time zone'],
    [{ timezone: '' }, 'timezone', '"" is not an IANA time zone'],
    [{ hours: { mon: ['09:00-12:00', '13:00-1700'] } }, 'hours.mon[1]', '"13:00-1700" is not an interval HH:MM-HH:MM'],
    [{ hours: { tue: ['9:00-12:00'] } }, 'hours.tue[0]', '"9:00-12:00" is not an interval HH:MM-HH:MM'],
    [{ hours: { wed: ['17:00-09:00'] } }, 'hours.wed[0]', '"17:00-09:00" does not end after it starts'],
    [{ hours: { wed: ['09:00-09:00'] } }, 'hours.wed[0]', '"09:00-09:00" does not end after it starts'],
    [{ hours: { thu: ['24:00-24:00'] } }, 'hours.thu[0]', '"24:00-24:00" starts at a time that does not exist (00:00 to 23:59)'],
    [{ hours: { thu: ['22:00-24:30'] } }, 'hours.thu[0]', '"22:00-24:30" ends at a time that does not exist (00:01 to 24:00)'],
    [{ hours: { fri: ['12:60-13:00'] } }, 'hours.fri[0]', '"12:60-13:00" starts at a time that does not exist (00:00 to 23:59)'],
    [{ hours: { fri: ['09:00-12:00', '11:59-13:00'] } }, 'hours.fri[1]', '"11:59-13:00" overlaps "09:00-12:00"'],
    [{ hours: { sat: ['10:00-14:00', '08:00-18:00'] } }, 'hours.sat[1]', '"08:00-18:00" overlaps "10:00-14:00"'],
    [{ hours: { sun: [42] } }, 'hours.sun[0]', '42 is not an interval HH:MM-HH:MM'],
    [{ hours: { sun: '09:00-17:00' } }, 'hours.sun', '"09:00-17:00" is not a list of intervals HH:MM-HH:MM'],
    [{ hours: { monday: ['09:00-17:00'] } }, 'hours.monday', 'is not a weekday (mon, tue, wed, thu, fri, sat, sun)'],
    [{ hours: '24/7' }, 'hours', '"24/7" is neither 24x7 nor intervals per weekday (mon: ["09:00-17:00"])'],
    [{ holidays: ['2026-12-25', '2026-02-30'] }, 'holidays[1]', '"2026-02-30" is not a date YYYY-MM-DD'],
    [{ holidays: ['2026-12-5'] }, 'holidays[0]', '"2026-12-5" is not a date YYYY-MM-DD'],
    [{ holidays: ['2025-02-29'] }, 'holidays[0]', '"2025-02-29" is not a date YYYY-MM-DD'],
    [{ holidays: ['2026-13-01'] }, 'holidays[0]', '"2026-13-01" is not a date YYYY-MM-DD'],
    [{ id: '' }, 'id', '"" is not an id'],
  ])('rejects %j at its path', (override, path, message) => {
    const error = compileError({ id: 'x', timezone: 'UTC', hours: WEEKDAYS_9_TO_5, ...(override as Partial<CalendarDefinition>) });
    expect(error.path).toBe(path);
    expect(error.message).toBe(message);
    expect(error.code).toBe(CALENDAR_DEFINITION_INVALID);
    expect(error).toBeInstanceOf(Error);
  });

  it('names every bad path, not only the first', () => {
    const error = compileError({
      id: 'x',
      timezone: 'Nowhere/Land',
      hours: { mon: ['09:00-17:00', '16:00-18:00'], tue: ['bad'] },
      holidays: ['2026-01-01', 'tomorrow'],
    });
    expect(error.problems.map((p) => p.path)).toEqual(['timezone', 'hours.mon[1]', 'hours.tue[0]', 'holidays[1]']);
    expect(error.path).toBe('timezone');
  });

  it('accepts touching intervals, 24:00 ends, 00:00 starts, leap days and empty days', () => {
    expect(() =>
      compileCalendar({
        id: 'ok',
        timezone: 'America/New_York',
        hours: { mon: ['12:00-17:00', '09:00-12:00'], tue: ['00:00-24:00'], wed: [], sun: ['23:59-24:00'] },
        holidays: ['2028-02-29', '2028-02-29'],
      }),
    ).not.toThrow();
  });

  it('refuses objects that it did not compile', () => {
    expect(() => isOpen({ id: 'fake', timezone: 'UTC' }, 0)).toThrow(TypeError);
  });
});

describe('a Mon–Fri 09:00–17:00 calendar (Europe/Amsterdam, summer time)', () => {
  const cal = office();
  const monday9 = at('2026-06-01T07:00:00Z'); // Mon 09:00 CEST

  it('is due at Monday 17:00 for 8h from Monday 09:00, not Tuesday 09:00', () => {
    expect(iso(addCounted(cal, monday9, 8 * H))).toBe('2026-06-01T15:00:00Z');
  });

  it('treats an interval as half-open: open at its start, closed at its end', () => {
    expect(isOpen(cal, monday9)).toBe(true);
    expect(isOpen(cal, monday9 - 1)).toBe(false);
    expect(isOpen(cal, at('2026-06-01T15:00:00Z') - 1)).toBe(true);
    expect(isOpen(cal, at('2026-06-01T15:00:00Z'))).toBe(false);
  });

  it('starts counting at the next opening when started at an interval end or outside hours', () => {
    const monday17 = at('2026-06-01T15:00:00Z');
    expect(iso(nextOpenInstant(cal, monday17))).toBe('2026-06-02T07:00:00Z');
    expect(iso(addCounted(cal, monday17, 1 * H))).toBe('2026-06-02T08:00:00Z');
    const saturday = at('2026-06-06T10:00:00Z');
    expect(iso(nextOpenInstant(cal, saturday))).toBe('2026-06-08T07:00:00Z');
    expect(iso(addCounted(cal, saturday, 4 * H))).toBe('2026-06-08T11:00:00Z');
    expect(iso(addCounted(cal, at('2026-06-01T03:00:00Z'), 30 * M))).toBe('2026-06-01T07:30:00Z');
  });

  it('returns the start itself for a zero target, open or not', () => {
    expect(addCounted(cal, monday9, 0)).toBe(monday9);
    const sunday = at('2026-06-07T12:00:00Z');
    expect(addCounted(cal, sunday, 0)).toBe(sunday);
    expect(nextOpenInstant(cal, monday9 + 5 * M)).toBe(monday9 + 5 * M);
  });

  it('carries a target over the weekend', () => {
    const friday16 = at('2026-06-05T14:00:00Z');
    expect(iso(addCounted(cal, friday16, 3 * H))).toBe('2026-06-08T09:00:00Z');
    expect(countedBetween(cal, friday16, at('2026-06-08T09:00:00Z'))).toBe(3 * H);
  });

  it('counts real time inside open hours only', () => {
    expect(countedBetween(cal, at('2026-06-01T00:00:00Z'), at('2026-06-08T00:00:00Z'))).toBe(40 * H);
    expect(countedBetween(cal, at('2026-06-01T10:00:00Z'), at('2026-06-02T08:30:00Z'))).toBe(5 * H + 90 * M);
    expect(countedBetween(cal, at('2026-06-06T00:00:00Z'), at('2026-06-07T23:00:00Z'))).toBe(0);
    expect(countedBetween(cal, monday9 + H, monday9)).toBe(0);
    expect(countedBetween(cal, monday9, monday9)).toBe(0);
  });

  it('adds up a long target by whole weeks (silence 30d = 720 counted hours = 18 weeks)', () => {
    const due = addCounted(cal, monday9, 720 * H);
    // 18 weeks of 40h, the last ending Friday 17:00 CEST of week 18.
    expect(iso(due)).toBe('2026-10-02T15:00:00Z');
    expect(countedBetween(cal, monday9, due)).toBe(720 * H);
  });

  it('lists open intervals and closed spans for explain output', () => {
    const from = at('2026-06-05T12:00:00Z');
    const to = at('2026-06-08T09:00:00Z');
    expect(spans(openIntervals(cal, from, to))).toEqual(['2026-06-05T12:00:00Z/2026-06-05T15:00:00Z', '2026-06-08T07:00:00Z/2026-06-08T09:00:00Z']);
    expect(closedSpans(cal, from, to)).toEqual([{ start: at('2026-06-05T15:00:00Z'), end: at('2026-06-08T07:00:00Z'), reason: 'closed' }]);
    expect(openIntervals(cal, to, from)).toEqual([]);
    expect(closedSpans(cal, to, from)).toEqual([]);
  });
});

describe('several intervals a day and joins', () => {
  it('skips a lunch break', () => {
    const cal = compileCalendar({ id: 'lunch', timezone: 'Europe/Amsterdam', hours: { mon: ['09:00-12:30', '13:00-17:30'] } });
    const monday11 = at('2026-06-01T09:00:00Z');
    expect(iso(addCounted(cal, monday11, 4 * H))).toBe('2026-06-01T13:30:00Z');
    expect(iso(addCounted(cal, monday11, 90 * M))).toBe('2026-06-01T10:30:00Z'); // exactly 12:30: the end, not 13:00
    expect(isOpen(cal, at('2026-06-01T10:45:00Z'))).toBe(false);
    expect(iso(nextOpenInstant(cal, at('2026-06-01T10:45:00Z')))).toBe('2026-06-01T11:00:00Z');
    expect(countedBetween(cal, at('2026-06-01T00:00:00Z'), at('2026-06-02T00:00:00Z'))).toBe(8 * H);
    expect(closedSpans(cal, at('2026-06-01T10:00:00Z'), at('2026-06-01T12:00:00Z'))).toEqual([
      { start: at('2026-06-01T10:30:00Z'), end: at('2026-06-01T11:00:00Z'), reason: 'closed' },
    ]);
  });

  it('joins touching intervals into one span', () => {
    const cal = compileCalendar({ id: 'split', timezone: 'Europe/Amsterdam', hours: { mon: ['12:00-17:00', '09:00-12:00'] } });
    const monday9 = at('2026-06-01T07:00:00Z');
    expect(spans(openIntervals(cal, at('2026-06-01T00:00:00Z'), at('2026-06-02T00:00:00Z')))).toEqual(['2026-06-01T07:00:00Z/2026-06-01T15:00:00Z']);
    expect(iso(addCounted(cal, monday9, 3 * H))).toBe('2026-06-01T10:00:00Z');
    expect(isOpen(cal, at('2026-06-01T10:00:00Z'))).toBe(true);
    expect(closedSpans(cal, monday9, at('2026-06-01T15:00:00Z'))).toEqual([]);
  });

  it('runs an evening shift through midnight with 24:00 and 00:00', () => {
    const cal = compileCalendar({ id: 'night', timezone: 'Europe/Amsterdam', hours: { mon: ['18:00-24:00'], tue: ['00:00-06:00'] } });
    const monday23 = at('2026-06-01T21:00:00Z');
    expect(iso(addCounted(cal, monday23, 2 * H))).toBe('2026-06-01T23:00:00Z'); // Tue 01:00 CEST
    expect(isOpen(cal, at('2026-06-01T22:00:00Z'))).toBe(true); // Tue 00:00 local
    expect(spans(openIntervals(cal, at('2026-06-01T00:00:00Z'), at('2026-06-03T00:00:00Z')))).toEqual(['2026-06-01T16:00:00Z/2026-06-02T04:00:00Z']);
    expect(countedBetween(cal, at('2026-06-01T00:00:00Z'), at('2026-06-08T00:00:00Z'))).toBe(12 * H);
  });

  it('joins Sunday 24:00 to Monday 00:00 across the week', () => {
    const cal = compileCalendar({ id: 'wrap', timezone: 'UTC', hours: { sun: ['22:00-24:00'], mon: ['00:00-02:00'] } });
    expect(spans(openIntervals(cal, at('2026-06-06T00:00:00Z'), at('2026-06-09T00:00:00Z')))).toEqual(['2026-06-07T22:00:00Z/2026-06-08T02:00:00Z']);
    expect(iso(addCounted(cal, at('2026-06-07T23:00:00Z'), 2 * H))).toBe('2026-06-08T01:00:00Z');
  });

  it('keeps an interval whole where it crosses the edge of an internal chunk', () => {
    const cal = compileCalendar({ id: 'all', timezone: 'UTC', hours: { mon: ['00:00-24:00'], tue: ['00:00-24:00'], wed: ['00:00-24:00'], thu: ['00:00-24:00'], fri: ['00:00-24:00'], sat: ['00:00-24:00'], sun: ['00:00-24:00'] } });
    const from = at('2026-01-01T00:00:00Z');
    const to = at('2026-12-31T00:00:00Z');
    expect(openIntervals(cal, from, to)).toEqual([{ start: from, end: to }]);
    expect(countedBetween(cal, from, to)).toBe(to - from);
    expect(addCounted(cal, from, to - from)).toBe(to);
  });
});

describe('holidays', () => {
  // Good Friday 2026-04-03 and Easter Monday 2026-04-06 around a weekend.
  const cal = office({ holidays: ['2026-04-03', '2026-04-06'] });

  it('closes a Friday holiday, the weekend and a Monday holiday in one stretch', () => {
    const thursday16 = at('2026-04-02T14:00:00Z'); // Thu 16:00 CEST
    expect(iso(addCounted(cal, thursday16, 2 * H))).toBe('2026-04-07T08:00:00Z'); // Tue 10:00
    expect(iso(nextOpenInstant(cal, at('2026-04-02T15:00:00Z')))).toBe('2026-04-07T07:00:00Z');
    expect(isOpen(cal, at('2026-04-03T10:00:00Z'))).toBe(false);
    expect(countedBetween(cal, at('2026-03-30T00:00:00Z'), at('2026-04-13T00:00:00Z'))).toBe(64 * H);
  });

  it('names the holidays among the closed spans', () => {
    expect(closedSpans(cal, at('2026-04-02T14:00:00Z'), at('2026-04-07T08:00:00Z'))).toEqual([
      { start: at('2026-04-02T15:00:00Z'), end: at('2026-04-02T22:00:00Z'), reason: 'closed' },
      { start: at('2026-04-02T22:00:00Z'), end: at('2026-04-03T22:00:00Z'), reason: 'holiday', date: '2026-04-03' },
      { start: at('2026-04-03T22:00:00Z'), end: at('2026-04-05T22:00:00Z'), reason: 'closed' },
      { start: at('2026-04-05T22:00:00Z'), end: at('2026-04-06T22:00:00Z'), reason: 'holiday', date: '2026-04-06' },
      { start: at('2026-04-06T22:00:00Z'), end: at('2026-04-07T07:00:00Z'), reason: 'closed' },
    ]);
  });

  it('cuts a holiday span at the edges of the range asked for', () => {
    expect(closedSpans(cal, at('2026-04-03T10:00:00Z'), at('2026-04-03T12:00:00Z'))).toEqual([
      { start: at('2026-04-03T10:00:00Z'), end: at('2026-04-03T12:00:00Z'), reason: 'holiday', date: '2026-04-03' },
    ]);
  });

  it('gives adjacent holidays a span each', () => {
    const xmas = office({ holidays: ['2026-12-25', '2026-12-24'] });
    expect(closedSpans(xmas, at('2026-12-23T16:00:00Z'), at('2026-12-28T08:00:00Z'))).toEqual([
      { start: at('2026-12-23T16:00:00Z'), end: at('2026-12-23T23:00:00Z'), reason: 'closed' },
      { start: at('2026-12-23T23:00:00Z'), end: at('2026-12-24T23:00:00Z'), reason: 'holiday', date: '2026-12-24' },
      { start: at('2026-12-24T23:00:00Z'), end: at('2026-12-25T23:00:00Z'), reason: 'holiday', date: '2026-12-25' },
      { start: at('2026-12-25T23:00:00Z'), end: at('2026-12-28T08:00:00Z'), reason: 'closed' },
    ]);
  });

  it('closes the holiday itself, not the 24:00 end of the day before', () => {
    const night = compileCalendar({ id: 'n', timezone: 'UTC', hours: { thu: ['20:00-24:00'], fri: ['00:00-04:00'] }, holidays: ['2026-04-03'] });
    expect(spans(openIntervals(night, at('2026-04-02T00:00:00Z'), at('2026-04-04T00:00:00Z')))).toEqual(['2026-04-02T20:00:00Z/2026-04-03T00:00:00Z']);
  });

  it('applies to a 24x7 calendar that lists them, across a DST change (a 25-hour day)', () => {
    const always = compileCalendar({ id: 'a', timezone: 'Europe/Amsterdam', hours: '24x7', holidays: ['2026-10-25'] });
    expect(isOpen(always, at('2026-10-25T12:00:00Z'))).toBe(false);
    expect(spans(closedSpans(always, at('2026-10-24T00:00:00Z'), at('2026-10-27T00:00:00Z')))).toEqual(['2026-10-24T22:00:00Z/2026-10-25T23:00:00Z']);
    expect(countedBetween(always, at('2026-10-24T00:00:00Z'), at('2026-10-27T00:00:00Z'))).toBe(72 * H - 25 * H);
    // Sat 23:00 CEST: one hour to the holiday, which lasts until Mon 00:00 CET, then one more.
    expect(iso(addCounted(always, at('2026-10-24T21:00:00Z'), 2 * H))).toBe('2026-10-26T00:00:00Z');
  });
});

describe('24x7 and never-open calendars', () => {
  it('counts real time around the clock', () => {
    const always = compileCalendar({ id: 'always', timezone: 'UTC', hours: '24x7' });
    const from = at('2026-03-29T00:30:00Z');
    expect(isOpen(always, from)).toBe(true);
    expect(nextOpenInstant(always, from)).toBe(from);
    expect(addCounted(always, from, 36 * H)).toBe(from + 36 * H);
    expect(countedBetween(always, from, from + 7 * H)).toBe(7 * H);
    expect(openIntervals(always, from, from + H)).toEqual([{ start: from, end: from + H }]);
    expect(closedSpans(always, from, from + H)).toEqual([]);
    expect(countedBetween(always, at('1970-01-01T00:00:00Z'), at('2200-01-01T00:00:00Z'))).toBe(at('2200-01-01T00:00:00Z'));
  });

  it.each([
    ['no days', {}],
    ['only empty days', { mon: [], tue: [] }],
  ])('never opens with %s, and says so without looping', (_, hours) => {
    const never = compileCalendar({ id: 'never', timezone: 'Europe/Amsterdam', hours, holidays: ['2026-06-02'] });
    const from = at('2026-06-01T12:00:00Z');
    expect(isOpen(never, from)).toBe(false);
    expect(nextOpenInstant(never, from)).toBe(Number.POSITIVE_INFINITY);
    expect(addCounted(never, from, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(addCounted(never, from, 0)).toBe(from);
    expect(countedBetween(never, from, from + 30 * 24 * H)).toBe(0);
    expect(openIntervals(never, from, from + 48 * H)).toEqual([]);
    expect(closedSpans(never, from, from + 48 * H)).toEqual([
      { start: from, end: at('2026-06-01T22:00:00Z'), reason: 'closed' },
      { start: at('2026-06-01T22:00:00Z'), end: at('2026-06-02T22:00:00Z'), reason: 'holiday', date: '2026-06-02' },
      { start: at('2026-06-02T22:00:00Z'), end: from + 48 * H, reason: 'closed' },
    ]);
  });

  it('gives Infinity for a target that cannot fit before the year 10000, at once', () => {
    const cal = office();
    expect(addCounted(cal, at('2026-06-01T07:00:00Z'), 1e15)).toBe(Number.POSITIVE_INFINITY);
    expect(addCounted(cal, at('2026-06-01T07:00:00Z'), Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(nextOpenInstant(cal, HORIZON_END)).toBe(Number.POSITIVE_INFINITY);
  });

  it('stays finite and consistent far from now (1970, 2200)', () => {
    const cal = office();
    const due = addCounted(cal, at('1970-01-01T00:00:00Z'), 100 * H);
    // Thu 1 and Fri 2 Jan (16h), two full weeks (80h), then Mon 19 Jan 09:00–13:00 CET (no DST in 1970).
    expect(iso(due)).toBe('1970-01-19T12:00:00Z');
    const from = at('2199-12-31T00:00:00Z');
    expect(countedBetween(cal, from, addCounted(cal, from, 30 * 24 * H))).toBe(30 * 24 * H);
  });
});

describe('DST in Europe/Amsterdam', () => {
  // 2026-03-29 (Sunday): 02:00 CET jumps to 03:00 CEST at 01:00Z.
  // 2026-10-25 (Sunday): 03:00 CEST falls back to 02:00 CET at 01:00Z; 02:00–03:00 happens twice.
  const sunday = (interval: string) => compileCalendar({ id: 's', timezone: 'Europe/Amsterdam', hours: { sun: [interval] } });
  const day = (cal: Calendar, date: string) => countedBetween(cal, at(`${date}T00:00:00Z`) - 12 * H, at(`${date}T00:00:00Z`) + 24 * H);

  it.each([
    ['01:00-04:00', 2 * H, '2026-03-29T00:00:00Z/2026-03-29T02:00:00Z'],
    ['02:30-04:00', 1 * H, '2026-03-29T01:00:00Z/2026-03-29T02:00:00Z'],
    ['01:00-02:30', 1 * H, '2026-03-29T00:00:00Z/2026-03-29T01:00:00Z'],
    ['00:00-24:00', 23 * H, '2026-03-28T23:00:00Z/2026-03-29T22:00:00Z'],
  ])('spring forward: %s counts real time', (interval, counted, span) => {
    const cal = sunday(interval);
    expect(day(cal, '2026-03-29')).toBe(counted);
    expect(spans(openIntervals(cal, at('2026-03-28T12:00:00Z'), at('2026-03-30T00:00:00Z')))).toEqual([span]);
  });

  it('spring forward: an interval inside the gap (02:00-03:00) does not open that night, and does the week after', () => {
    const cal = sunday('02:00-03:00');
    expect(day(cal, '2026-03-29')).toBe(0);
    expect(isOpen(cal, at('2026-03-29T01:00:00Z'))).toBe(false);
    expect(iso(nextOpenInstant(cal, at('2026-03-28T12:00:00Z')))).toBe('2026-04-05T00:00:00Z');
    expect(day(cal, '2026-04-05')).toBe(1 * H);
  });

  it('spring forward: a target runs through the gap', () => {
    const cal = sunday('01:00-04:00');
    expect(iso(addCounted(cal, at('2026-03-29T00:30:00Z'), 60 * M))).toBe('2026-03-29T01:30:00Z'); // 01:30 CET + 1h = 03:30 CEST
  });

  it.each([
    ['01:00-04:00', 4 * H, '2026-10-24T23:00:00Z/2026-10-25T03:00:00Z'],
    ['02:00-03:00', 2 * H, '2026-10-25T00:00:00Z/2026-10-25T02:00:00Z'],
    ['02:30-04:00', 2.5 * H, '2026-10-25T00:30:00Z/2026-10-25T03:00:00Z'],
    ['01:00-02:30', 1.5 * H, '2026-10-24T23:00:00Z/2026-10-25T00:30:00Z'],
    ['00:00-24:00', 25 * H, '2026-10-24T22:00:00Z/2026-10-25T23:00:00Z'],
  ])('fall back: %s starts and ends at the earlier instant of an ambiguous time', (interval, counted, span) => {
    const cal = sunday(interval);
    expect(day(cal, '2026-10-25')).toBe(counted);
    expect(spans(openIntervals(cal, at('2026-10-24T12:00:00Z'), at('2026-10-26T00:00:00Z')))).toEqual([span]);
  });

  it('fall back: the second 02:xx is open for 02:00-03:00 (continuous real time)', () => {
    const cal = sunday('02:00-03:00');
    expect(isOpen(cal, at('2026-10-25T01:30:00Z'))).toBe(true); // 02:30 CET, the second one
    expect(isOpen(cal, at('2026-10-25T02:00:00Z'))).toBe(false); // 03:00 CET
    expect(iso(addCounted(cal, at('2026-10-25T00:00:00Z'), 90 * M))).toBe('2026-10-25T01:30:00Z');
  });

  it('a business week across the spring change has 40 counted hours', () => {
    const cal = office();
    expect(countedBetween(cal, at('2026-03-23T00:00:00Z'), at('2026-04-06T00:00:00Z'))).toBe(80 * H);
    // Fri 16:00 CET + 2h → Mon 10:00 CEST
    expect(iso(addCounted(cal, at('2026-03-27T15:00:00Z'), 2 * H))).toBe('2026-03-30T08:00:00Z');
  });
});

describe('DST in America/New_York', () => {
  // 2026-03-08 (Sunday): 02:00 EST jumps to 03:00 EDT at 07:00Z.
  // 2026-11-01 (Sunday): 02:00 EDT falls back to 01:00 EST at 06:00Z; 01:00–02:00 happens twice.
  const sunday = (interval: string) => compileCalendar({ id: 's', timezone: 'America/New_York', hours: { sun: [interval] } });
  const window = (date: string): [number, number] => [at(`${date}T00:00:00Z`), at(`${date}T00:00:00Z`) + 36 * H];

  it.each([
    ['01:00-04:00', '2026-03-08T06:00:00Z/2026-03-08T08:00:00Z'],
    ['02:30-04:00', '2026-03-08T07:00:00Z/2026-03-08T08:00:00Z'],
    ['01:30-02:30', '2026-03-08T06:30:00Z/2026-03-08T07:00:00Z'],
    ['00:00-24:00', '2026-03-08T05:00:00Z/2026-03-09T04:00:00Z'],
  ])('spring forward: %s', (interval, span) => {
    expect(spans(openIntervals(sunday(interval), ...window('2026-03-08')))).toEqual([span]);
  });

  it('spring forward: 02:00-03:00 does not exist that night', () => {
    const cal = sunday('02:00-03:00');
    expect(openIntervals(cal, ...window('2026-03-08'))).toEqual([]);
    expect(countedBetween(cal, ...window('2026-03-08'))).toBe(0);
  });

  it.each([
    ['01:00-04:00', '2026-11-01T05:00:00Z/2026-11-01T09:00:00Z'],
    ['01:30-02:00', '2026-11-01T05:30:00Z/2026-11-01T07:00:00Z'],
    ['02:00-03:00', '2026-11-01T07:00:00Z/2026-11-01T08:00:00Z'],
    ['02:30-04:00', '2026-11-01T07:30:00Z/2026-11-01T09:00:00Z'],
    ['00:00-01:30', '2026-11-01T04:00:00Z/2026-11-01T05:30:00Z'],
    ['00:00-24:00', '2026-11-01T04:00:00Z/2026-11-02T05:00:00Z'],
  ])('fall back: %s', (interval, span) => {
    expect(spans(openIntervals(sunday(interval), ...window('2026-11-01')))).toEqual([span]);
  });

  it('fall back: a target crossing the repeated hour counts it once per real hour', () => {
    const cal = sunday('00:00-04:00'); // 04:00Z .. 09:00Z: 5 real hours
    expect(countedBetween(cal, ...window('2026-11-01'))).toBe(5 * H);
    expect(iso(addCounted(cal, at('2026-11-01T04:00:00Z'), 2 * H))).toBe('2026-11-01T06:00:00Z'); // 01:00 EST, the second one
  });
});

describe('other zones', () => {
  it('Australia/Lord_Howe moves by 30 minutes (2026-10-04, 02:00 → 02:30)', () => {
    const cal = compileCalendar({ id: 'lh', timezone: 'Australia/Lord_Howe', hours: { sun: ['01:00-03:00'] } });
    // 01:00 +10:30 = 14:30Z; 03:00 +11 = 16:00Z
    expect(spans(openIntervals(cal, at('2026-10-03T00:00:00Z'), at('2026-10-04T12:00:00Z')))).toEqual(['2026-10-03T14:30:00Z/2026-10-03T16:00:00Z']);
    const gap = compileCalendar({ id: 'lh2', timezone: 'Australia/Lord_Howe', hours: { sun: ['02:10-02:20'] } });
    expect(countedBetween(gap, at('2026-10-03T00:00:00Z'), at('2026-10-04T12:00:00Z'))).toBe(0);
    // 2026-04-05: 02:00 +11 falls back to 01:30 +10:30 at 15:00Z (Saturday); 01:30–02:00 happens twice.
    const back = compileCalendar({ id: 'lh3', timezone: 'Australia/Lord_Howe', hours: { sun: ['01:45-03:00'] } });
    expect(spans(openIntervals(back, at('2026-04-04T00:00:00Z'), at('2026-04-05T12:00:00Z')))).toEqual(['2026-04-04T14:45:00Z/2026-04-04T16:30:00Z']);
  });

  it('Asia/Kolkata (+05:30, no DST) and Pacific/Chatham (+12:45)', () => {
    const kolkata = compileCalendar({ id: 'k', timezone: 'Asia/Kolkata', hours: { mon: ['09:30-18:00'] } });
    expect(iso(addCounted(kolkata, at('2026-06-01T00:00:00Z'), 8 * H))).toBe('2026-06-01T12:00:00Z');
    const chatham = compileCalendar({ id: 'c', timezone: 'Pacific/Chatham', hours: { mon: ['09:00-17:00'] } });
    expect(isOpen(chatham, at('2026-06-01T00:00:00Z'))).toBe(true); // Mon 12:45 local
    expect(iso(nextOpenInstant(chatham, at('2026-06-07T00:00:00Z')))).toBe('2026-06-07T20:15:00Z'); // Mon 09:00 +12:45
  });

  it('moves a 24:00 end at a midnight that does not exist to the first instant after the gap (America/Havana)', () => {
    // 2026-03-08 (Sunday) 00:00 CST jumps to 01:00 CDT at 05:00Z.
    const cal = compileCalendar({ id: 'h', timezone: 'America/Havana', hours: { sat: ['20:00-24:00'], sun: ['00:00-02:00'] } });
    expect(spans(openIntervals(cal, at('2026-03-07T12:00:00Z'), at('2026-03-08T12:00:00Z')))).toEqual(['2026-03-08T01:00:00Z/2026-03-08T06:00:00Z']);
    expect(countedBetween(cal, at('2026-03-07T12:00:00Z'), at('2026-03-08T12:00:00Z'))).toBe(5 * H);
  });
});
