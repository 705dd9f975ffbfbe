export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Monday first, as ISO 8601 numbers its weekdays; `WEEKDAYS[i]` is ISO weekday `i + 1`. */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A calendar as config.md writes it. */
export interface CalendarDefinition {
  id: string;
  /** IANA time zone name. */
  timezone: string;
  /** `24x7`, or local wall-clock intervals `HH:MM-HH:MM` per weekday (`24:00` allowed as an end); a missing day is closed. */
  hours: '24x7' | Partial<Record<Weekday, string[]>>;
  /** Local dates `YYYY-MM-DD`, closed all day. */
  holidays?: string[];
}

/** A compiled calendar; its internals (caches included) are private to this module. */
export interface Calendar {
  readonly id: string;
  readonly timezone: string;
}

/** A half-open span of instants `[start, end)`, epoch milliseconds. */
export interface InstantSpan {
  start: number;
  end: number;
}

/** A closed part of a range, for "explain" output; `date` names the holiday. */
export interface ClosedSpan extends InstantSpan {
  reason: 'closed' | 'holiday';
  date?: string;
}
