import { DateTime } from 'luxon';

import { closedSpans, openIntervals } from '../calendar';
import { calendarOf, countedAt } from './clock.logic';

import type { EngineConfig } from '../config/engine-config';
import type { ClockState } from '../state/engine-state.type';
import type { SlaMetric } from '@pw/contracts';

/** One stretch of a clock's life between its start and its due instant (or now). */
export interface ExplanationStep {
  /** `counted`: open time that counts; `closed`: outside the calendar's hours; `holiday`; `paused`. */
  kind: 'counted' | 'closed' | 'holiday' | 'paused';
  from: number;
  to: number;
  /** Milliseconds counted in this stretch (0 unless `counted`). */
  countedMs: number;
  calendar: string;
  timezone: string;
  /** The holiday's local date, for `holiday`. */
  date?: string;
  /** In words, in the calendar's time zone: "1h Fri 16:00–17:00", "weekend closed". */
  text: string;
}

/** How a clock's due instant was reached, in data and in words. */
export interface ClockExplanation {
  metric: SlaMetric;
  cycle: number;
  policy: string;
  targetMs: number;
  startedAt: number;
  dueAt: number | null;
  /** Counted time at `asOf`. */
  countedMs: number;
  asOf: number;
  breached: boolean;
  paused: boolean;
  /** A retarget or pause changed the calendar or the counting at these instants. */
  changes: Array<{ at: number; calendar: string; paused: boolean }>;
  steps: ExplanationStep[];
  text: string;
}

/** Longest stretch `explainClock` lists one by one; beyond it the rest is summed up. */
const MAX_STEPS = 200;

export function formatDuration(ms: number): string {
  if (ms <= 0) return '0m';
  const totalMinutes = Math.round(ms / 60_000);
  if (totalMinutes === 0) return `${Math.max(1, Math.round(ms / 1000))}s`;
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  const parts: string[] = [];
  if (days > 0) parts.push(`${days}d`);
  if (hours > 0) parts.push(`${hours}h`);
  if (minutes > 0) parts.push(`${minutes}m`);
  return parts.join(' ');
}

function local(at: number, zone: string): DateTime {
  return DateTime.fromMillis(at, { zone });
}

/** "Fri 16:00–17:00", or "Fri 16:00–Mon 09:00" across days. */
function formatSpan(from: number, to: number, zone: string): string {
  const start = local(from, zone);
  const end = local(to, zone);
  const sameDay = start.hasSame(end, 'day') || (end.hour === 0 && end.minute === 0 && end.minus({ days: 1 }).hasSame(start, 'day'));
  const endText = end.hour === 0 && end.minute === 0 && sameDay ? '24:00' : end.toFormat('HH:mm');
  return sameDay ? `${start.toFormat('ccc HH:mm')}–${endText}` : `${start.toFormat('ccc HH:mm')}–${end.toFormat('ccc HH:mm')}`;
}

/** A closed stretch in words: "weekend closed" when it covers a whole Saturday and Sunday. */
function closedText(from: number, to: number, zone: string): string {
  const start = local(from, zone);
  const end = local(to, zone);
  const span = formatSpan(from, to, zone);
  const coversWeekend = start.weekday <= 6 && end.diff(start, 'hours').hours >= 48 && end.weekday === 1 && start.weekday >= 5;
  return coversWeekend ? `weekend closed (${span})` : `closed ${span}`;
}

/**
 * Explains one clock: the stretches from its start to its due instant (or to `asOf` while it
 * cannot be due: paused, or a calendar that never opens), each counted, closed, a holiday or
 * paused, with the calendar of its segment. Pure: `asOf` is an argument.
 */
export function explainClock(config: EngineConfig, clock: ClockState, asOf: number): ClockExplanation {
  const end = clock.dueAt ?? Math.max(asOf, clock.startedAt);
  const steps: ExplanationStep[] = [];
  let truncated = 0;
  const push = (step: ExplanationStep): void => {
    if (steps.length < MAX_STEPS) steps.push(step);
    else truncated++;
  };
  clock.segments.forEach((segment, index) => {
    const next = clock.segments[index + 1];
    const from = segment.from;
    const to = Math.min(next ? next.from : end, end);
    if (!(to > from)) return;
    const calendar = calendarOf(config, segment.calendar);
    const zone = calendar.timezone;
    if (segment.paused) {
      push({ kind: 'paused', from, to, countedMs: 0, calendar: segment.calendar, timezone: zone, text: `paused ${formatSpan(from, to, zone)}` });
      return;
    }
    const stretches: ExplanationStep[] = [];
    for (const open of openIntervals(calendar, from, to)) {
      const countedMs = open.end - open.start;
      stretches.push({
        kind: 'counted',
        from: open.start,
        to: open.end,
        countedMs,
        calendar: segment.calendar,
        timezone: zone,
        text: `${formatDuration(countedMs)} ${formatSpan(open.start, open.end, zone)}`,
      });
    }
    for (const closed of closedSpans(calendar, from, to)) {
      const holiday = closed.reason === 'holiday';
      stretches.push({
        kind: holiday ? 'holiday' : 'closed',
        from: closed.start,
        to: closed.end,
        countedMs: 0,
        calendar: segment.calendar,
        timezone: zone,
        ...(holiday && closed.date ? { date: closed.date } : {}),
        text: holiday ? `holiday ${closed.date ?? ''} closed`.replace('  ', ' ') : closedText(closed.start, closed.end, zone),
      });
    }
    stretches.sort((a, b) => a.from - b.from);
    for (const stretch of stretches) push(stretch);
  });

  const paused = clock.segments[clock.segments.length - 1].paused;
  const changes = clock.segments.slice(1).map((segment) => ({ at: segment.from, calendar: segment.calendar, paused: segment.paused }));
  const calendars = [...new Set(clock.segments.map((segment) => segment.calendar))].join(', then ');
  const head = `${formatDuration(clock.targetMs)} on ${calendars}`;
  const tail = truncated > 0 ? [`and ${truncated} more stretches`] : [];
  const until =
    clock.dueAt === null
      ? paused
        ? ['not due while paused']
        : ['no due instant: the calendar does not open again']
      : [];
  return {
    metric: clock.metric,
    cycle: clock.cycle,
    policy: clock.policy,
    targetMs: clock.targetMs,
    startedAt: clock.startedAt,
    dueAt: clock.dueAt,
    countedMs: countedAt(config, clock, Math.max(asOf, clock.startedAt)),
    asOf,
    breached: clock.breached,
    paused,
    changes,
    steps,
    text: `${head}: ${[...steps.map((step) => step.text), ...tail, ...until].join(', ')}`,
  };
}
