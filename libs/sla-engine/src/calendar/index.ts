export type { Calendar, CalendarDefinition, ClosedSpan, InstantSpan, Weekday } from './calendar.type';
export { WEEKDAYS } from './calendar.type';
export { CALENDAR_DEFINITION_INVALID, CalendarDefinitionError } from './calendar.exception';
export type { CalendarDefinitionProblem } from './calendar.exception';
export {
  HORIZON_END,
  HORIZON_START,
  addCounted,
  closedSpans,
  compileCalendar,
  countedBetween,
  isOpen,
  nextOpenInstant,
  openIntervals,
} from './calendar';
