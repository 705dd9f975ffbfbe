import { addCounted, countedBetween } from '../calendar';
import { ALWAYS_OPEN_CALENDAR_ID } from '../config/engine-config';

import type { Calendar } from '../calendar';
import type { EngineConfig } from '../config/engine-config';
import type { ClockSegment, ClockState } from '../state/engine-state.type';

/*
 * Counted time of one clock. A clock's life is a list of segments (see ClockSegment); pauses
 * and retargets add one. Counted time at an instant is the counted time at the start of its
 * segment plus the open time since, unless the segment is paused.
 */

export function calendarOf(config: EngineConfig, id: string): Calendar {
  const calendar = config.calendars.get(id);
  // A calendar removed by a later version of the document: count the rest around the clock.
  return calendar ?? (config.calendars.get(ALWAYS_OPEN_CALENDAR_ID) as Calendar);
}

function segmentAt(segments: readonly ClockSegment[], at: number): ClockSegment | undefined {
  for (let i = segments.length - 1; i >= 0; i--) if (segments[i].from <= at) return segments[i];
  return undefined;
}

/** Counted milliseconds from the clock's start to `at` (0 before the start). */
export function countedAt(config: EngineConfig, clock: ClockState, at: number): number {
  const segment = segmentAt(clock.segments, at);
  if (!segment) return 0;
  if (segment.paused) return segment.counted;
  return segment.counted + countedBetween(calendarOf(config, segment.calendar), segment.from, at);
}

/**
 * The earliest instant at which the clock's counted time reaches `amount` (> 0), across its
 * segments; `null` when it has not and will not without a change (paused, or a calendar that
 * never opens).
 */
export function instantOfCounted(config: EngineConfig, clock: ClockState, amount: number): number | null {
  const { segments } = clock;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const next = segments[i + 1];
    const countedAtEnd = next ? next.counted : segment.paused ? segment.counted : Number.POSITIVE_INFINITY;
    if (amount <= countedAtEnd && !segment.paused && amount > segment.counted) {
      const at = addCounted(calendarOf(config, segment.calendar), segment.from, amount - segment.counted);
      if (!Number.isFinite(at)) return null;
      // The crossing of a finished segment lies before the next segment starts.
      return next ? Math.min(at, next.from) : at;
    }
    if (amount <= segment.counted) return segment.from;
  }
  return null;
}

/** Counted milliseconds a warning fraction stands for; rounded up so it is never early. */
export function warningAmount(clock: ClockState, fraction: number): number {
  return Math.max(1, Math.ceil(clock.targetMs * fraction));
}

/** Recomputes `dueAt`, the next warning and `timerAt` after any change to the clock. */
export function refreshClockTimers(config: EngineConfig, clock: ClockState): void {
  clock.dueAt = instantOfCounted(config, clock, clock.targetMs);
  clock.nextWarning = null;
  clock.timerAt = null;
  if (clock.breached) return;
  for (const fraction of clock.warnAt) {
    if (clock.warned.includes(fraction)) continue;
    const at = instantOfCounted(config, clock, warningAmount(clock, fraction));
    if (at !== null) {
      clock.nextWarning = fraction;
      clock.timerAt = at;
      return;
    }
    break;
  }
  clock.timerAt = clock.dueAt;
}

/** Instant of the next warning (if that is the next timer), for the emitter. */
export function nextWarningAt(config: EngineConfig, clock: ClockState): number | null {
  return clock.nextWarning === null ? null : instantOfCounted(config, clock, warningAmount(clock, clock.nextWarning));
}

/**
 * Starts a new segment at `at` (not before the last one: a late event cannot rewrite the
 * clock's history) with the given calendar and paused state.
 */
export function addSegment(config: EngineConfig, clock: ClockState, at: number, calendar: string, paused: boolean): number {
  const last = clock.segments[clock.segments.length - 1];
  const from = Math.max(at, last.from);
  const counted = countedAt(config, clock, from);
  if (from === last.from) {
    last.counted = counted;
    last.paused = paused;
    last.calendar = calendar;
  } else {
    clock.segments.push({ from, counted, paused, calendar });
  }
  return from;
}

export function isPaused(clock: ClockState): boolean {
  return clock.segments[clock.segments.length - 1].paused;
}

export function currentCalendar(clock: ClockState): string {
  return clock.segments[clock.segments.length - 1].calendar;
}
