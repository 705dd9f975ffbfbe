/** One thing wrong with a calendar definition: `hours.mon[1]` and `"09:00-08:00" does not end after it starts`. */
export interface CalendarDefinitionProblem {
  /** Path inside the definition: keys joined with `.`, indices as `[i]`. */
  path: string;
  /** The offending value JSON-quoted (when there is one) and the reason. */
  message: string;
}

export const CALENDAR_DEFINITION_INVALID = 'CALENDAR_DEFINITION_INVALID';

/**
 * Thrown by `compileCalendar`. `path` and `message` describe the first problem, in the shape of
 * the contract's problems (`path: message`), so that a caller can prefix the calendar's own
 * path; `problems` lists every one, since config.md wants a bad document rejected whole.
 */
export class CalendarDefinitionError extends Error {
  readonly code = CALENDAR_DEFINITION_INVALID;
  readonly path: string;
  readonly problems: readonly CalendarDefinitionProblem[];

  constructor(problems: readonly CalendarDefinitionProblem[]) {
    super(problems[0]?.message ?? 'is not a valid calendar');
    this.name = 'CalendarDefinitionError';
    this.path = problems[0]?.path ?? '';
    this.problems = problems;
  }
}
