import { CalendarDefinitionError } from './calendar.exception';
import { WEEKDAYS } from './calendar.type';
import { parseLocalDate } from './local-date.util';
import { isKnownZone } from './zone-offset.util';

import type { CalendarDefinitionProblem } from './calendar.exception';
import type { CalendarDefinition, Weekday } from './calendar.type';

/** A definition checked and normalised: what the compiled calendar is built from. */
export interface ParsedCalendarDefinition {
  id: string;
  timezone: string;
  allDay: boolean;
  /** Per weekday (Monday first), flat `[start, end, start, end, …]` in minutes after local midnight, sorted, touching intervals joined. */
  week: readonly Int32Array[];
  /** Holiday day numbers (days since 1970-01-01), ascending, without repeats. */
  holidays: readonly number[];
}

const INTERVAL = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;
const FULL_DAY: readonly number[] = [0, 24 * 60];

function quote(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `09:00-17:30` → minutes after midnight, or the reason it is not an opening interval. */
export function parseInterval(text: string): { start: number; end: number } | string {
  const m = INTERVAL.exec(text);
  if (!m) return 'is not an interval HH:MM-HH:MM';
  const sh = Number(m[1]);
  const sm = Number(m[2]);
  const eh = Number(m[3]);
  const em = Number(m[4]);
  if (sh > 23 || sm > 59) return 'starts at a time that does not exist (00:00 to 23:59)';
  if (em > 59 || eh > 24 || (eh === 24 && em !== 0)) return 'ends at a time that does not exist (00:01 to 24:00)';
  const start = sh * 60 + sm;
  const end = eh * 60 + em;
  if (end <= start) return 'does not end after it starts';
  return { start, end };
}

/** Checks a definition and normalises it; throws `CalendarDefinitionError` naming every bad path. */
export function parseCalendarDefinition(def: CalendarDefinition): ParsedCalendarDefinition {
  const problems: CalendarDefinitionProblem[] = [];
  const problem = (path: string, value: unknown, reason: string) =>
    problems.push({ path, message: value === undefined ? reason : `${quote(value)} ${reason}` });

  if (typeof def !== 'object' || def === null) {
    throw new CalendarDefinitionError([{ path: '', message: `${quote(def)} is not a calendar` }]);
  }
  if (typeof def.id !== 'string' || def.id === '') problem('id', def.id, 'is not an id');
  if (!isKnownZone(def.timezone)) problem('timezone', def.timezone, 'is not an IANA time zone');

  const allDay = def.hours === '24x7';
  const week: Int32Array[] = WEEKDAYS.map(() => new Int32Array(0));
  if (allDay) {
    week.fill(Int32Array.from(FULL_DAY));
  } else if (typeof def.hours !== 'object' || def.hours === null || Array.isArray(def.hours)) {
    problem('hours', def.hours, 'is neither 24x7 nor intervals per weekday (mon: ["09:00-17:00"])');
  } else {
    for (const [day, intervals] of Object.entries(def.hours as Record<string, unknown>)) {
      const dayIndex = WEEKDAYS.indexOf(day as Weekday);
      if (dayIndex < 0) {
        problem(`hours.${day}`, undefined, 'is not a weekday (mon, tue, wed, thu, fri, sat, sun)');
        continue;
      }
      if (intervals === undefined) continue; // Partial<Record>: an absent day is closed
      if (!Array.isArray(intervals)) {
        problem(`hours.${day}`, intervals, 'is not a list of intervals HH:MM-HH:MM');
        continue;
      }
      const accepted: Array<{ start: number; end: number; text: string }> = [];
      for (let index = 0; index < intervals.length; index++) {
        const text: unknown = intervals[index];
        const parsed = typeof text === 'string' ? parseInterval(text) : 'is not an interval HH:MM-HH:MM';
        if (typeof parsed === 'string') {
          problem(`hours.${day}[${index}]`, text, parsed);
          continue;
        }
        // Touching (12:00 end, 12:00 start) is not overlapping: half-open intervals.
        const other = accepted.find((o) => parsed.start < o.end && o.start < parsed.end);
        if (other) problem(`hours.${day}[${index}]`, text, `overlaps ${quote(other.text)}`);
        else accepted.push({ start: parsed.start, end: parsed.end, text: text as string });
      }
      accepted.sort((a, b) => a.start - b.start);
      const flat: number[] = [];
      for (const { start, end } of accepted) {
        // Joined here so that 09:00-12:00 + 12:00-17:00 is one span with no join to trip over.
        if (flat.length > 0 && flat[flat.length - 1] === start) flat[flat.length - 1] = end;
        else flat.push(start, end);
      }
      week[dayIndex] = Int32Array.from(flat);
    }
  }

  const holidays = new Set<number>();
  if (def.holidays !== undefined) {
    if (!Array.isArray(def.holidays)) {
      problem('holidays', def.holidays, 'is not a list of dates YYYY-MM-DD');
    } else {
      def.holidays.forEach((text: unknown, index) => {
        const day = typeof text === 'string' ? parseLocalDate(text) : undefined;
        if (day === undefined) problem(`holidays[${index}]`, text, 'is not a date YYYY-MM-DD');
        else holidays.add(day);
      });
    }
  }

  if (problems.length > 0) throw new CalendarDefinitionError(problems);
  return {
    id: def.id,
    timezone: def.timezone,
    allDay,
    week,
    holidays: [...holidays].sort((a, b) => a - b),
  };
}
