import { parseDuration } from '@pw/contracts';
import { type Calendar, type CalendarDefinition, compileCalendar, nextOpenInstant } from '@pw/sla-engine';

/** The parts of an `escalations` entry of config.md the notifier acts on. */
export interface Ladder {
  id: string;
  on: string[];
  match?: Partial<Record<'channel' | 'priority' | 'segment' | 'team' | 'tags', string[]>>;
  levels: Array<{ after: string; notify: string[] }>;
  repeat?: { every: string; times: number };
  ackTimeout?: string;
  calendar?: string;
}

/**
 * A ladder as an escalation keeps it from its opening on: with the definition of its
 * calendar as it was then (an open escalation keeps its ladder, whatever later versions say).
 */
export interface StoredLadder extends Ladder {
  calendarDefinition?: CalendarDefinition;
}

/** The ladder to store when an escalation opens: its calendar's definition copied in. */
export function ladderToStore(ladder: Ladder, calendars: CalendarDefinition[] | undefined): StoredLadder {
  const definition = ladder.calendar ? calendars?.find((calendar) => calendar.id === ladder.calendar) : undefined;
  return definition ? { ...ladder, calendarDefinition: definition } : { ...ladder };
}

/** Conversation attributes the sla service attaches to each published event. */
export interface CauseContext {
  channel?: string;
  priority?: string;
  segment?: string;
  team?: string;
  tags?: string[];
}

export interface SlaEventEnvelope {
  eventId: string;
  tenantId: string;
  event: Record<string, unknown> & { type: string; at: string; customerId: string; conversationId?: string };
  context?: CauseContext;
}

/** Output events that open (or continue) an escalation when a ladder lists them in `on`. */
export const CLOSING_EVENTS: Record<string, string> = {
  'sla.met': 'met',
  'sla.cancelled': 'cancelled',
  'sla.breach_retracted': 'retracted',
  'promise.kept': 'kept',
  'promise.cancelled': 'cancelled',
  'promise.break_retracted': 'retracted',
};

/**
 * What an escalation is about. A clock's cycle, a commitment or a customer: the closing
 * event of the same cause resolves it.
 */
export function causeKey(envelope: SlaEventEnvelope): string {
  const e = envelope.event;
  if (e.type.startsWith('sla.')) return `clock:${e.conversationId}:${String(e['metric'])}:${String(e['cycle'])}`;
  if (e.type.startsWith('promise.')) return `commitment:${String(e['promiseId'])}`;
  if (e.type === 'account.silent') return `silence:${e.customerId}`;
  if (e.type === 'customer.pattern') return `pattern:${e.customerId}`;
  return `${e.type}:${e.conversationId ?? e.customerId}`;
}

export function ladderMatches(ladder: Ladder, envelope: SlaEventEnvelope): boolean {
  if (!ladder.on.includes(envelope.event.type)) return false;
  const context = envelope.context ?? {};
  for (const [field, allowed] of Object.entries(ladder.match ?? {})) {
    if (!allowed || allowed.length === 0) continue;
    if (field === 'tags') {
      if (!(context.tags ?? []).some((tag) => allowed.includes(tag))) return false;
    } else {
      const value = context[field as keyof CauseContext] as string | undefined;
      if (value === undefined || !allowed.includes(value)) return false;
    }
  }
  return true;
}

/** Milliseconds after opening at which level `index` is due. */
export function levelOffsetMs(ladder: Ladder, index: number): number {
  const after = parseDuration(ladder.levels[index].after);
  if (after === undefined) throw new Error(`ladder ${ladder.id}: level ${index} has a bad duration`);
  return after;
}

const compiledCalendars = new Map<string, Calendar>();

function calendarOf(definition: CalendarDefinition): Calendar {
  const key = JSON.stringify(definition);
  let calendar = compiledCalendars.get(key);
  if (!calendar) {
    calendar = compileCalendar(definition);
    compiledCalendars.set(key, calendar);
  }
  return calendar;
}

/** One step of a ladder: a level (`L0`, `L1`, …) or a repeat of the last level (`R1`, `R2`, …). */
export interface LadderStep {
  index: number;
  label: string;
  /** The ladder level this step notifies (a repeat notifies the last level again). */
  level: number;
  notify: string[];
  /** Milliseconds after the ladder's start at which the step is due (before the calendar). */
  offsetMs: number;
}

/** The levels, then `repeat.times` repeats of the last level every `repeat.every`. */
export function ladderSteps(ladder: Ladder): LadderStep[] {
  const steps: LadderStep[] = ladder.levels.map((level, index) => ({
    index,
    label: `L${index}`,
    level: index,
    notify: level.notify,
    offsetMs: levelOffsetMs(ladder, index),
  }));
  if (ladder.repeat) {
    const every = parseDuration(ladder.repeat.every);
    if (every === undefined || every <= 0) throw new Error(`ladder ${ladder.id}: repeat.every is a bad duration`);
    const last = steps[steps.length - 1];
    for (let k = 1; k <= ladder.repeat.times; k++) {
      steps.push({ index: steps.length, label: `R${k}`, level: last.level, notify: last.notify, offsetMs: last.offsetMs + k * every });
    }
  }
  return steps;
}

/**
 * When step `index` is due for a ladder whose offset zero is `anchorAt` (the opening, or,
 * after an ack timeout re-opened it, the re-opening minus the offset of the step it had).
 * Steps after the first wait for the ladder's calendar to be open.
 */
export function stepDueAt(ladder: StoredLadder, anchorAt: number, index: number, steps: LadderStep[] = ladderSteps(ladder)): number {
  const due = anchorAt + steps[index].offsetMs;
  if (index === 0 || !ladder.calendarDefinition) return due;
  return nextOpenInstant(calendarOf(ladder.calendarDefinition), due);
}

/** The delivery step name: the step's label, with the re-opening count after the first run. */
export function deliveryStepName(step: LadderStep, epoch: number): string {
  return epoch === 0 ? step.label : `${step.label}.${epoch}`;
}

/** An accepted interaction that is a public reply: outbound, not automated, a message or a call. */
export function isPublicReply(event: { kind?: unknown; direction?: unknown; automated?: unknown }): boolean {
  return (event.kind === 'message' || event.kind === 'call') && event.direction === 'outbound' && event.automated !== true;
}

/**
 * Splits a batch into rounds in which each key occurs at most once, keeping each key's
 * events in order across rounds: the events of one round are independent of each other
 * and can be applied by set-based statements.
 */
export function roundsByKey<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(item);
  }
  return rounds;
}
