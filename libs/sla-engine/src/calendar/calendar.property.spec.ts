import fc from 'fast-check';
import { IANAZone } from 'luxon';

import { addCounted, closedSpans, compileCalendar, countedBetween, isOpen, nextOpenInstant, openIntervals } from './index';

import type { Calendar, CalendarDefinition, Weekday } from './index';

// Property runs are many and some walk minute by minute.
jest.setTimeout(180_000);

const MINUTE = 60_000;
const DAY = 86_400_000;
const RANGE_START = Date.UTC(1970, 0, 1);
const RANGE_END = Date.UTC(2200, 0, 1);
const ZONES = ['Europe/Amsterdam', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC', 'Pacific/Chatham'];
const DAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const RUNS = { numRuns: 1000 };

// --- generators ---------------------------------------------------------------------------

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Boundaries on a quarter-hour grid, any minute, or the local times where DST happens. */
const boundary = fc.oneof(
  fc.integer({ min: 0, max: 96 }).map((q) => q * 15),
  fc.constantFrom(0, 60, 90, 105, 120, 135, 150, 165, 180, 210, 240, 1440),
  fc.integer({ min: 0, max: 1440 }),
);

/** Up to three intervals of one day, some touching, in any order. */
const dayIntervals = fc
  .tuple(fc.uniqueArray(boundary, { maxLength: 6 }), fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), fc.boolean())
  .map(([points, touch, reverse]) => {
    const sorted = [...points].sort((a, b) => a - b);
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i + 1 < sorted.length; i += 2) pairs.push([sorted[i], sorted[i + 1]]);
    // Moving a start back to the previous end makes touching intervals, which must act as one.
    for (let i = 1; i < pairs.length; i++) if (touch[i]) pairs[i][0] = pairs[i - 1][1];
    const texts = pairs.map(([s, e]) => `${hhmm(s)}-${hhmm(e)}`);
    return reverse ? texts.reverse() : texts;
  });

const weekHours = fc.record(
  { mon: dayIntervals, tue: dayIntervals, wed: dayIntervals, thu: dayIntervals, fri: dayIntervals, sat: dayIntervals, sun: dayIntervals },
  { requiredKeys: [] },
);

const hours: fc.Arbitrary<CalendarDefinition['hours']> = fc.oneof({ weight: 1, arbitrary: fc.constant('24x7' as const) }, { weight: 9, arbitrary: weekHours });

const transitionCache = new Map<string, number[]>();

/** The zone's offset changes in a year, found with luxon alone (only to aim instants at DST nights). */
function transitionsOf(zone: string, year: number): number[] {
  const key = `${zone} ${year}`;
  let found = transitionCache.get(key);
  if (found) return found;
  const z = IANAZone.create(zone);
  found = [];
  for (let month = 0; month < 12; month++) {
    const start = Date.UTC(year, month, 1);
    const end = Date.UTC(year, month + 1, 1);
    if (z.offset(start) === z.offset(end)) continue;
    for (let day = start; day < end; day += DAY) {
      if (z.offset(day) === z.offset(day + DAY)) continue;
      let low = day / MINUTE;
      let high = (day + DAY) / MINUTE;
      while (high - low > 1) {
        const mid = Math.floor((low + high) / 2);
        if (z.offset(mid * MINUTE) === z.offset(day)) low = mid;
        else high = mid;
      }
      found.push(high * MINUTE);
    }
  }
  transitionCache.set(key, found);
  return found;
}

const uniformMinute = fc.integer({ min: RANGE_START / MINUTE, max: RANGE_END / MINUTE }).map((m) => m * MINUTE);

/** Minute-aligned instants, half of them within a few days of one of the zone's DST transitions. */
const instantFor = (zone: string) =>
  fc.oneof(
    uniformMinute,
    fc.tuple(fc.integer({ min: 1970, max: 2199 }), fc.nat(), fc.integer({ min: -3 * 24 * 60, max: 24 * 60 })).map(([year, n, shift]) => {
      const list = transitionsOf(zone, year);
      const base = list.length === 0 ? Date.UTC(year, n % 12, 1 + (n % 28)) : list[n % list.length];
      return base + shift * MINUTE;
    }),
  );

const isoDate = (t: number) => new Date(t).toISOString().slice(0, 10);

interface Scenario {
  def: CalendarDefinition;
  cal: Calendar;
  from: number;
  /** Open minutes per week of the definition, ignoring DST and holidays. */
  weeklyOpenMinutes: number;
}

const scenario: fc.Arbitrary<Scenario> = fc.constantFrom(...ZONES).chain((zone) =>
  fc
    .record({
      hours,
      from: instantFor(zone),
      holidayOffsets: fc.uniqueArray(fc.oneof(fc.integer({ min: -2, max: 4 }), fc.integer({ min: -2, max: 90 })), { maxLength: 6 }),
    })
    .map(({ hours, from, holidayOffsets }) => {
      // Holidays near `from`, where they matter: dates of the UTC day plus an offset.
      const holidays = holidayOffsets.map((days) => isoDate(from + days * DAY));
      const def: CalendarDefinition = { id: 'random', timezone: zone, hours, ...(holidays.length > 0 ? { holidays } : {}) };
      return { def, cal: compileCalendar(def), from, weeklyOpenMinutes: weeklyOpenMinutes(def) };
    }),
);

function parseHHMM(text: string): number {
  return Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
}

function weeklyOpenMinutes(def: CalendarDefinition): number {
  if (def.hours === '24x7') return 7 * 24 * 60;
  let sum = 0;
  for (const list of Object.values(def.hours)) for (const text of list ?? []) sum += parseHHMM(text.slice(6)) - parseHHMM(text.slice(0, 5));
  return sum;
}

// --- the naive reference -----------------------------------------------------------------

/**
 * Open or not, minute by minute over `[from, to)`, from the definition and luxon only. The rule
 * of config.md (a local time that occurs twice means the earlier instant; one that does not
 * occur means the first instant after the gap) is the same as: an instant is open when the
 * highest local wall-clock time reached so far lies in an open local interval of its date.
 * luxon is asked for the offset at both ends of each quarter hour, and at every minute of a
 * quarter hour whose ends differ, which is exact for zones whose offsets change on whole minutes.
 */
function naiveOpenMinutes(def: CalendarDefinition, from: number, to: number): boolean[] {
  const zone = IANAZone.create(def.timezone);
  const offsetAt = (t: number) => zone.offset(t) * MINUTE;
  const holidays = new Set(def.holidays ?? []);
  const weekdayNames: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  const dayCache = new Map<number, Array<[number, number]> | null>();
  const openOfDay = (day: number): Array<[number, number]> | null => {
    if (dayCache.has(day)) return dayCache.get(day) as Array<[number, number]> | null;
    const date = new Date(day * DAY);
    let result: Array<[number, number]> | null;
    if (holidays.has(date.toISOString().slice(0, 10))) result = null;
    else if (def.hours === '24x7') result = [[0, 1440]];
    else result = ((def.hours as Record<string, string[]>)[weekdayNames[date.getUTCDay()]] ?? []).map((text) => [parseHHMM(text.slice(0, 5)), parseHHMM(text.slice(6))]);
    dayCache.set(day, result);
    return result;
  };
  const openAtWall = (wall: number) => {
    const day = Math.floor(wall / DAY);
    const minute = (wall - day * DAY) / MINUTE;
    return (openOfDay(day) ?? []).some(([start, end]) => minute >= start && minute < end);
  };

  const open: boolean[] = [];
  let highestWall = Number.NEGATIVE_INFINITY;
  // Start early enough that a repeated hour before `from` is seen.
  for (let quarter = from - 6 * 60 * MINUTE; quarter < to; quarter += 15 * MINUTE) {
    const first = offsetAt(quarter);
    const last = offsetAt(quarter + 14 * MINUTE);
    for (let k = 0; k < 15; k++) {
      const t = quarter + k * MINUTE;
      if (t >= to) break;
      const wall = t + (first === last ? first : offsetAt(t));
      if (wall > highestWall) highestWall = wall;
      if (t >= from) open.push(openAtWall(highestWall));
    }
  }
  return open;
}

// --- properties ----------------------------------------------------------------------------

describe('calendar properties (random zones, hours, holidays, instants)', () => {
  it('countedBetween is additive, monotone in `to`, and never more than real time', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 60 * DAY }), fc.integer({ min: 0, max: 60 * DAY }), ({ cal, from }, x, y) => {
        const a = from;
        const b = a + x;
        const c = b + y;
        const ab = countedBetween(cal, a, b);
        const bc = countedBetween(cal, b, c);
        const ac = countedBetween(cal, a, c);
        expect(ab + bc).toBe(ac);
        expect(ab).toBeLessThanOrEqual(ac);
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(ab).toBeLessThanOrEqual(b - a);
        expect(countedBetween(cal, b, a)).toBe(0);
      }),
      RUNS,
    );
  });

  it('addCounted inverts countedBetween and gives the earliest such instant', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 120 }).map((m) => -m)),
        fc.integer({ min: 0, max: 59_999 }),
        ({ cal, from, weeklyOpenMinutes }, fraction, jitter) => {
          // Up to 26 weeks of the calendar's open time (so up to half a year), whole minutes
          // (negative choice), or any millisecond.
          const d =
            fraction === 0 ? 0 : fraction < 0 ? Math.min(-fraction, weeklyOpenMinutes * 26) * MINUTE : Math.floor(fraction * weeklyOpenMinutes * 26 * MINUTE) + jitter;
          const due = addCounted(cal, from, d);
          if (weeklyOpenMinutes === 0) {
            expect(due).toBe(d === 0 ? from : Number.POSITIVE_INFINITY);
            return;
          }
          expect(Number.isFinite(due)).toBe(true);
          expect(due).toBeGreaterThanOrEqual(from);
          expect(countedBetween(cal, from, due)).toBe(d);
          if (d === 0) expect(due).toBe(from);
          else {
            expect(isOpen(cal, due - 1)).toBe(true);
            expect(countedBetween(cal, from, due - 1)).toBe(d - 1);
          }
        },
      ),
      RUNS,
    );
  });

  it('addCounted lands exactly on interval ends, also at the far side of skipped chunks', () => {
    // Random durations almost never hit a boundary; these are made to.
    fc.assert(
      fc.property(scenario, fc.integer({ min: 1, max: 90 * DAY }), fc.nat(), ({ cal, from }, length, n) => {
        const open = openIntervals(cal, from, from + length);
        if (open.length === 0) return;
        const { start, end } = open[n % open.length];
        expect(addCounted(cal, from, countedBetween(cal, from, end))).toBe(end);
        // The count at a start was already reached at the end of the interval before (or at `from`).
        const previous = n % open.length === 0 ? from : open[(n % open.length) - 1].end;
        expect(addCounted(cal, from, countedBetween(cal, from, start))).toBe(previous);
      }),
      RUNS,
    );
  });

  it('nextOpenInstant is open and nothing before it (from `t` on) is', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: -DAY, max: DAY }), ({ cal, from, weeklyOpenMinutes }, shift) => {
        const t = from + shift;
        const next = nextOpenInstant(cal, t);
        if (weeklyOpenMinutes === 0) {
          expect(next).toBe(Number.POSITIVE_INFINITY);
          return;
        }
        expect(next).toBeGreaterThanOrEqual(t);
        expect(isOpen(cal, next)).toBe(true);
        expect(countedBetween(cal, t, next)).toBe(0);
        expect(next === t).toBe(isOpen(cal, t));
        expect(openIntervals(cal, t, next)).toEqual([]);
      }),
      RUNS,
    );
  });

  it('agrees with a naive minute-by-minute reference on ranges of up to three days', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 3 * 24 * 60 }), ({ def, cal, from }, minutes) => {
        const to = from + minutes * MINUTE;
        const open = naiveOpenMinutes(def, from, to);
        expect(countedBetween(cal, from, to)).toBe(open.filter(Boolean).length * MINUTE);
        const mismatch = open.findIndex((expected, i) => isOpen(cal, from + i * MINUTE) !== expected);
        expect(mismatch === -1 ? 'none' : new Date(from + mismatch * MINUTE).toISOString()).toBe('none');
        const firstOpen = open.indexOf(true);
        if (firstOpen >= 0) expect(nextOpenInstant(cal, from)).toBe(from + firstOpen * MINUTE);
        else if (minutes > 0) expect(nextOpenInstant(cal, from)).toBeGreaterThanOrEqual(to);
      }),
      RUNS,
    );
  });

  it('open intervals and closed spans partition a range, and name only listed holidays', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 40 * DAY }), ({ def, cal, from }, length) => {
        const to = from + length;
        const open = openIntervals(cal, from, to);
        const closed = closedSpans(cal, from, to);
        const all = [...open.map((s) => ({ ...s, open: true })), ...closed.map((s) => ({ ...s, open: false }))].sort((p, q) => p.start - q.start);
        // Violations are collected and compared once: an expect per span would dominate the run time.
        const wrong: string[] = [];
        let cursor = from;
        for (const span of all) {
          if (span.start !== cursor || !(span.end > span.start)) wrong.push(`not contiguous at ${span.start}`);
          cursor = span.end;
        }
        if (cursor !== (length === 0 ? from : to)) wrong.push('does not reach `to`');
        if (open.reduce((sum, s) => sum + s.end - s.start, 0) !== countedBetween(cal, from, to)) wrong.push('open total is not the count');
        for (let i = 1; i < open.length; i++) if (!(open[i].start > open[i - 1].end)) wrong.push(`touching open intervals at ${open[i].start}`);
        for (const s of open) if (!isOpen(cal, s.start) || !isOpen(cal, s.end - 1)) wrong.push(`open interval not open at ${s.start}`);
        for (const s of closed) {
          if (isOpen(cal, s.start) || isOpen(cal, s.end - 1)) wrong.push(`closed span open at ${s.start}`);
          if (s.reason === 'holiday' ? !(def.holidays ?? []).includes(s.date as string) : s.date !== undefined) wrong.push(`bad holiday ${s.date}`);
        }
        expect(wrong).toEqual([]);
      }),
      RUNS,
    );
  });

  it('a calendar open all day every day counts real time, like 24x7, across chunk edges and DST', () => {
    const allDay = Object.fromEntries(DAYS.map((day) => [day, ['00:00-12:00', '12:00-24:00']]));
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), uniformMinute, fc.integer({ min: 0, max: 120 * DAY }), (zone, from, length) => {
        const cal = compileCalendar({ id: 'all', timezone: zone, hours: allDay });
        const always = compileCalendar({ id: 'always', timezone: zone, hours: '24x7' });
        expect(countedBetween(cal, from, from + length)).toBe(length);
        expect(addCounted(cal, from, length)).toBe(from + length);
        expect(addCounted(always, from, length)).toBe(from + length);
        expect(openIntervals(cal, from, from + length)).toEqual(length === 0 ? [] : [{ start: from, end: from + length }]);
      }),
      RUNS,
    );
  });
});
