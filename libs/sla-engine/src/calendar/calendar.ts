/**
 * Business-hours calendars: which instants are open, and counted time (real elapsed time
 * inside open intervals) between instants, as config.md and semantics.md define them.
 *
 * Choices where the contract is silent (README.md in this folder says more):
 * - `24x7` with holidays: the holidays are honoured (closed all day, local time), because
 *   someone wrote them down; `24x7` without holidays is plain arithmetic.
 * - A holiday closes its whole local day, including an interval of that day ending at 24:00;
 *   the day before still ends at the holiday's midnight.
 * - Instants outside the years 0001..9999 (what RFC 3339 can write) are closed for a calendar
 *   with hours, so that no search runs forever; a due instant past 9999 is `Infinity`.
 *
 * Design: per calendar, the open intervals are built lazily per 28-day chunk of instants as
 * sorted arrays with running totals, cached in the compiled calendar; queries are binary
 * searches, and long targets skip whole chunks by their totals.
 */
import { parseCalendarDefinition } from './calendar-definition.parse';
import { DAY_MS, MINUTE_MS, daysFromCivil, formatLocalDate, weekdayIndexOfDay } from './local-date.util';
import { countedBefore, isOpenInChunk, lastAtOrBefore, locateCount, makeChunk } from './open-chunk.util';
import { zoneOffsets } from './zone-offset.util';

import type { Calendar, CalendarDefinition, ClosedSpan, InstantSpan } from './calendar.type';
import type { OpenChunk } from './open-chunk.util';
import type { ZoneOffsets } from './zone-offset.util';

const CHUNK_MS = 28 * DAY_MS;
/** 0001-01-01T00:00Z and 10000-01-01T00:00Z: a calendar with hours is closed outside. */
export const HORIZON_START = daysFromCivil(1, 1, 1) * DAY_MS;
export const HORIZON_END = daysFromCivil(10000, 1, 1) * DAY_MS;
/** Bounds on the caches, reached only by walks over centuries; past them a cache starts again. */
const MAX_CACHED_CHUNKS = 4096;
const MAX_CACHED_TOTALS = 200_000;

type CalendarKind = 'always' | 'never' | 'hours';

class CompiledCalendar implements Calendar {
  private readonly chunks = new Map<number, OpenChunk>();
  private readonly totals = new Map<number, number>();
  private lastIndex = Number.NaN;
  private lastChunk: OpenChunk | undefined;

  constructor(
    readonly id: string,
    readonly timezone: string,
    readonly kind: CalendarKind,
    private readonly week: readonly Int32Array[],
    readonly holidays: readonly number[],
    private readonly holidaySet: ReadonlySet<number>,
    readonly zone: ZoneOffsets,
  ) {}

  chunk(index: number): OpenChunk {
    if (index === this.lastIndex) return this.lastChunk as OpenChunk;
    let chunk = this.chunks.get(index);
    if (chunk === undefined) {
      if (this.chunks.size >= MAX_CACHED_CHUNKS) this.chunks.clear();
      chunk = this.buildChunk(index);
      this.chunks.set(index, chunk);
    }
    this.lastIndex = index;
    this.lastChunk = chunk;
    return chunk;
  }

  /** Open ms in chunk `index`; kept apart from the chunks so that a long skip does not hold every interval. */
  total(index: number): number {
    let total = this.totals.get(index);
    if (total === undefined) {
      if (this.totals.size >= MAX_CACHED_TOTALS) this.totals.clear();
      total = (this.chunks.get(index) ?? this.buildChunk(index)).total;
      this.totals.set(index, total);
    }
    return total;
  }

  /** `[start, end)` of a holiday's local day. */
  holidaySpan(day: number): InstantSpan {
    return { start: this.zone.localToInstant(day * DAY_MS), end: this.zone.localToInstant((day + 1) * DAY_MS) };
  }

  private buildChunk(index: number): OpenChunk {
    const start = index * CHUNK_MS;
    const end = start + CHUNK_MS;
    const starts: number[] = [];
    const ends: number[] = [];
    if (end > HORIZON_START && start < HORIZON_END) {
      // Local days whose intervals can reach the window: offsets stay within ±1 day.
      const lastDay = Math.floor(end / DAY_MS) + 1;
      for (let day = Math.floor(start / DAY_MS) - 2; day <= lastDay; day++) {
        if (this.holidaySet.has(day)) continue;
        const intervals = this.week[weekdayIndexOfDay(day)];
        const midnight = day * DAY_MS;
        for (let i = 0; i < intervals.length; i += 2) {
          const open = Math.max(start, HORIZON_START, this.zone.localToInstant(midnight + intervals[i] * MINUTE_MS));
          const close = Math.min(end, HORIZON_END, this.zone.localToInstant(midnight + intervals[i + 1] * MINUTE_MS));
          // Empty when the interval lies in a spring-forward gap or outside the window.
          if (close <= open) continue;
          const n = ends.length;
          // Touching intervals (…-24:00 then 00:00-…) become one: no artefact at the join.
          if (n > 0 && open <= ends[n - 1]) ends[n - 1] = Math.max(ends[n - 1], close);
          else {
            starts.push(open);
            ends.push(close);
          }
        }
      }
    }
    return makeChunk(start, end, starts, ends);
  }
}

function compiled(cal: Calendar): CompiledCalendar {
  if (!(cal instanceof CompiledCalendar)) throw new TypeError('not a calendar made by compileCalendar');
  return cal;
}

function chunkIndexOf(t: number): number {
  return Math.floor(t / CHUNK_MS);
}

/** Validates and compiles a definition; throws `CalendarDefinitionError` naming the bad path. Cheap: intervals are built on first use. */
export function compileCalendar(def: CalendarDefinition): Calendar {
  const parsed = parseCalendarDefinition(def);
  const anyHours = parsed.week.some((intervals) => intervals.length > 0);
  const kind: CalendarKind = parsed.allDay && parsed.holidays.length === 0 ? 'always' : anyHours ? 'hours' : 'never';
  return new CompiledCalendar(
    parsed.id,
    parsed.timezone,
    kind,
    parsed.week,
    parsed.holidays,
    new Set(parsed.holidays),
    zoneOffsets(parsed.timezone),
  );
}

/** Whether the calendar is open at `at`; intervals are half-open `[start, end)`. */
export function isOpen(cal: Calendar, at: number): boolean {
  const c = compiled(cal);
  if (c.kind === 'always') return !Number.isNaN(at);
  if (c.kind === 'never' || !(at >= HORIZON_START && at < HORIZON_END)) return false;
  return isOpenInChunk(c.chunk(chunkIndexOf(at)), at);
}

/** `at` if open, else the start of the next open interval; `Infinity` if it never opens again. */
export function nextOpenInstant(cal: Calendar, at: number): number {
  const c = compiled(cal);
  if (c.kind === 'always' || Number.isNaN(at)) return at;
  if (c.kind === 'never' || at >= HORIZON_END) return Number.POSITIVE_INFINITY;
  const t = Math.max(at, HORIZON_START);
  let index = chunkIndexOf(t);
  const chunk = c.chunk(index);
  const i = lastAtOrBefore(chunk.starts, t);
  if (i >= 0 && t < chunk.ends[i]) return t;
  if (i + 1 < chunk.starts.length) return chunk.starts[i + 1];
  // A long run of holidays is finite, so this ends; the horizon bounds it anyway.
  for (index++; index * CHUNK_MS < HORIZON_END; index++) {
    if (c.total(index) > 0) return c.chunk(index).starts[0];
  }
  return Number.POSITIVE_INFINITY;
}

/** Open ms in `[from, to)`; 0 if `to <= from`. */
export function countedBetween(cal: Calendar, from: number, to: number): number {
  if (!(to > from)) return 0;
  const c = compiled(cal);
  if (c.kind === 'always') return to - from;
  if (c.kind === 'never') return 0;
  const start = Math.max(from, HORIZON_START);
  const end = Math.min(to, HORIZON_END);
  if (!(end > start)) return 0;
  const first = chunkIndexOf(start);
  const last = chunkIndexOf(end);
  if (first === last) {
    const chunk = c.chunk(first);
    return countedBefore(chunk, end) - countedBefore(chunk, start);
  }
  const head = c.chunk(first);
  let sum = head.total - countedBefore(head, start);
  for (let index = first + 1; index < last; index++) sum += c.total(index);
  return sum + countedBefore(c.chunk(last), end);
}

/**
 * The earliest instant `t >= from` with `countedBetween(from, t) === durationMs`: `from` for 0
 * (a zero target is due at its start; a negative one is read as zero), `Infinity` when the
 * calendar never opens enough.
 */
export function addCounted(cal: Calendar, from: number, durationMs: number): number {
  if (!(durationMs > 0)) return Number.isNaN(durationMs) ? Number.NaN : from;
  const c = compiled(cal);
  if (c.kind === 'always') return from + durationMs;
  if (c.kind === 'never') return Number.POSITIVE_INFINITY;
  const start = Math.max(from, HORIZON_START);
  // Counted time never exceeds real time: no need to walk to learn that it does not fit.
  if (!(durationMs <= HORIZON_END - start)) return Number.POSITIVE_INFINITY;
  let index = chunkIndexOf(start);
  const head = c.chunk(index);
  const done = countedBefore(head, start);
  let remaining = durationMs;
  if (remaining <= head.total - done) return locateCount(head, done + remaining);
  remaining -= head.total - done;
  for (index++; index * CHUNK_MS < HORIZON_END; index++) {
    const total = c.total(index);
    if (remaining <= total) return locateCount(c.chunk(index), remaining);
    remaining -= total;
  }
  return Number.POSITIVE_INFINITY;
}

/** The open intervals clipped to `[from, to)`, joined where they touch, for "explain" output. */
export function openIntervals(cal: Calendar, from: number, to: number): InstantSpan[] {
  if (!(to > from)) return [];
  const c = compiled(cal);
  if (c.kind === 'always') return [{ start: from, end: to }];
  if (c.kind === 'never') return [];
  const start = Math.max(from, HORIZON_START);
  const end = Math.min(to, HORIZON_END);
  const result: InstantSpan[] = [];
  if (!(end > start)) return result;
  const last = chunkIndexOf(end - 1);
  for (let index = chunkIndexOf(start); index <= last; index++) {
    const chunk = c.chunk(index);
    for (let i = Math.max(0, lastAtOrBefore(chunk.starts, start)); i < chunk.starts.length; i++) {
      const open = Math.max(chunk.starts[i], start);
      const close = Math.min(chunk.ends[i], end);
      if (open >= end) break;
      if (close <= open) continue;
      const previous = result[result.length - 1];
      // An interval cut by a chunk's edge is one interval again.
      if (previous !== undefined && previous.end === open) previous.end = close;
      else result.push({ start: open, end: close });
    }
  }
  return result;
}

/** The closed parts of `[from, to)`, a holiday's local day named by its date, for "explain" output. */
export function closedSpans(cal: Calendar, from: number, to: number): ClosedSpan[] {
  if (!(to > from)) return [];
  const c = compiled(cal);
  if (c.kind === 'always') return [];
  const gaps: InstantSpan[] = [];
  let cursor = from;
  for (const open of openIntervals(c, from, to)) {
    if (open.start > cursor) gaps.push({ start: cursor, end: open.start });
    cursor = open.end;
  }
  if (cursor < to) gaps.push({ start: cursor, end: to });

  const { holidays } = c;
  const result: ClosedSpan[] = [];
  // First holiday that ends after `from` (holiday spans ascend with their dates).
  let low = 0;
  let high = holidays.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (c.holidaySpan(holidays[mid]).end <= from) low = mid + 1;
    else high = mid;
  }
  let h = low;
  for (const gap of gaps) {
    let at = gap.start;
    // A holiday is closed all day, so its span lies inside one gap (cut only by from/to).
    for (; h < holidays.length; h++) {
      const span = c.holidaySpan(holidays[h]);
      if (span.start >= gap.end) break;
      if (span.end <= span.start) continue; // a date the zone skipped (Pacific/Apia, 2011-12-30)
      const start = Math.max(span.start, gap.start);
      const end = Math.min(span.end, gap.end);
      if (start > at) result.push({ start: at, end: start, reason: 'closed' });
      result.push({ start, end, reason: 'holiday', date: formatLocalDate(holidays[h]) });
      at = end;
      if (span.end > gap.end) break; // cut by `to`: the last gap
    }
    if (at < gap.end) result.push({ start: at, end: gap.end, reason: 'closed' });
  }
  return result;
}
