import { durationMs } from '@pw/contracts';

import { CalendarDefinitionError, compileCalendar } from '../calendar';

import type { Calendar, CalendarDefinition } from '../calendar';

import type {
  Channel,
  ConfigDocument,
  ConversationStatus,
  MatchConfig,
  Priority,
  Problem,
  RatingScale,
  SlaMetric,
} from '@pw/contracts';

/** The calendar of a policy that names none: open around the clock. */
export const ALWAYS_OPEN_CALENDAR_ID = '(24x7)';

export interface CompiledMatch {
  channel: ReadonlySet<Channel> | null;
  priority: ReadonlySet<Priority> | null;
  segment: ReadonlySet<string> | null;
  team: ReadonlySet<string> | null;
  tags: ReadonlySet<string> | null;
}

export interface CompiledPolicy {
  id: string;
  match: CompiledMatch;
  calendar: string;
  targets: Partial<Record<SlaMetric, number>>;
  warnAt: number[];
  pauseOn: ReadonlySet<ConversationStatus>;
}

export interface CompiledSilenceRule {
  segments: ReadonlySet<string> | null;
  withinMs: number;
}

/** A tenant's configuration document, compiled for the engine: durations in ms, calendars ready. */
export interface EngineConfig {
  document: ConfigDocument;
  /** Fingerprint of the document: a conversation whose clocks follow another revision is re-checked. */
  revision: string;
  calendars: ReadonlyMap<string, Calendar>;
  policies: CompiledPolicy[];
  commitments: {
    provider: { warnBeforeMs: number };
    customer: { warnBeforeMs: number; pattern: { threshold: number; windowMs: number } | null };
  };
  silence: CompiledSilenceRule[];
  transfersMax: number | null;
  detractor: Record<RatingScale, number | null>;
}

export type EngineConfigResult = { ok: true; config: EngineConfig } | { ok: false; problems: Problem[] };

function setOf<T>(values: readonly T[] | undefined): ReadonlySet<T> | null {
  return values === undefined ? null : new Set(values);
}

function compileMatch(match: MatchConfig | undefined): CompiledMatch {
  return {
    channel: setOf(match?.channel),
    priority: setOf(match?.priority),
    segment: setOf(match?.segment),
    team: setOf(match?.team),
    tags: setOf(match?.tags),
  };
}

/** FNV-1a, 32 bits, as hex: enough to tell versions of one tenant's document apart. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5 | 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** Joins a path inside a calendar definition (`hours.mon[1]`) to the calendar's own. */
function calendarPath(index: number, inner: string): string {
  if (inner === '') return `calendars[${index}]`;
  return inner.startsWith('[') ? `calendars[${index}]${inner}` : `calendars[${index}].${inner}`;
}

/**
 * Compiles a validated document (see `validateConfigDocument` in @pw/contracts). Calendars are
 * compiled by the calendar module, which may still reject one; that comes back as a problem.
 */
export function compileEngineConfig(document: ConfigDocument): EngineConfigResult {
  const problems: Problem[] = [];
  const calendars = new Map<string, Calendar>();
  calendars.set(ALWAYS_OPEN_CALENDAR_ID, compileCalendar({ id: ALWAYS_OPEN_CALENDAR_ID, timezone: 'UTC', hours: '24x7' }));
  (document.calendars ?? []).forEach((definition, index) => {
    try {
      calendars.set(definition.id, compileCalendar(definition as CalendarDefinition));
    } catch (error) {
      if (!(error instanceof CalendarDefinitionError)) throw error;
      for (const problem of error.problems) problems.push({ path: calendarPath(index, problem.path), message: problem.message });
    }
  });
  if (problems.length > 0) return { ok: false, problems };

  const policies: CompiledPolicy[] = (document.policies ?? []).map((policy) => ({
    id: policy.id,
    match: compileMatch(policy.match),
    calendar: policy.calendar ?? ALWAYS_OPEN_CALENDAR_ID,
    targets: Object.fromEntries(
      Object.entries(policy.targets ?? {})
        .filter(([, duration]) => duration !== undefined)
        .map(([metric, duration]) => [metric, durationMs(duration as string)]),
    ) as Partial<Record<SlaMetric, number>>,
    warnAt: [...new Set(policy.warnAt ?? [])].sort((a, b) => a - b),
    pauseOn: new Set(policy.pauseOn ?? []),
  }));

  const pattern = document.promises?.customer?.pattern;
  const config: EngineConfig = {
    document,
    revision: fingerprint(JSON.stringify(document)),
    calendars,
    policies,
    commitments: {
      provider: { warnBeforeMs: durationMs(document.promises?.provider?.warnBefore ?? '0s') },
      customer: {
        warnBeforeMs: durationMs(document.promises?.customer?.warnBefore ?? '0s'),
        pattern: pattern ? { threshold: pattern.threshold, windowMs: durationMs(pattern.window) } : null,
      },
    },
    silence: (document.silence ?? []).map((rule) => ({ segments: setOf(rule.match?.segment), withinMs: durationMs(rule.within) })),
    transfersMax: document.transfers?.max ?? null,
    detractor: { csat: document.feedback?.detractor.csat ?? null, nps: document.feedback?.detractor.nps ?? null },
  };
  return { ok: true, config };
}
