import { IANAZone } from 'luxon';
import { z } from 'zod';

import { parseDuration } from '../common/duration.util';
import { isLocalDate } from '../common/instant.util';
import { quoteValue } from '../common/problem.util';
import {
  CHANNELS,
  CONVERSATION_STATUSES,
  PRIORITIES,
  SLA_METRICS,
  WEEKDAYS,
} from '../common/vocabulary.constant';
import { OUTPUT_EVENT_TYPES } from '../output-event/output-event.type';

import type { Weekday } from '../common/vocabulary.constant';

/** A duration of config.md; zero only where `allowZero` (for `warnBefore` and `after`). */
export function durationSchema(options: { allowZero: boolean } = { allowZero: false }) {
  return z.custom<string>().superRefine((value, ctx) => {
    if (value === undefined) {
      ctx.addIssue({ code: 'custom', message: 'is required', input: value });
      return;
    }
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'is not a duration', input: value });
    } else if (ms === 0 && !options.allowZero) {
      ctx.addIssue({ code: 'custom', message: 'is zero, which only warnBefore and after allow', input: value });
    }
  });
}

const INTERVAL = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

export interface ParsedInterval {
  /** Minutes after local midnight. */
  startMinute: number;
  /** Minutes after local midnight; 1440 for `24:00`. */
  endMinute: number;
}

/** `09:00-17:30` → minutes, or a reason it is not a valid opening interval. */
export function parseInterval(text: string): ParsedInterval | string {
  const m = INTERVAL.exec(text);
  if (!m) return 'is not an interval HH:MM-HH:MM';
  const [sh, sm, eh, em] = m.slice(1).map(Number);
  if (sh > 23 || sm > 59) return 'starts at a time that does not exist (00:00 to 23:59)';
  if (em > 59 || eh > 24 || (eh === 24 && em !== 0)) return 'ends at a time that does not exist (00:01 to 24:00)';
  const startMinute = sh * 60 + sm;
  const endMinute = eh * 60 + em;
  if (endMinute <= startMinute) return 'does not end after it starts';
  return { startMinute, endMinute };
}

export type WeekHours = Partial<Record<Weekday, string[]>>;
export type CalendarHours = '24x7' | WeekHours;

const WEEKDAY_SET = new Set<string>(WEEKDAYS);

/** `24x7` or local wall-clock intervals per weekday, none overlapping within a day. */
export const calendarHoursSchema = z.custom<CalendarHours>().superRefine((value, ctx) => {
  if (value === '24x7') return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: value === undefined ? 'is required' : 'is neither 24x7 nor intervals per weekday (mon: ["09:00-17:00"])', input: value });
    return;
  }
  for (const [day, intervals] of Object.entries(value as Record<string, unknown>)) {
    if (!WEEKDAY_SET.has(day)) {
      ctx.addIssue({ code: 'custom', message: 'is not a weekday (mon, tue, wed, thu, fri, sat, sun)', path: [day], input: day });
      continue;
    }
    if (!Array.isArray(intervals)) {
      ctx.addIssue({ code: 'custom', message: 'is not a list of intervals HH:MM-HH:MM', path: [day], input: intervals });
      continue;
    }
    const accepted: Array<ParsedInterval & { text: string }> = [];
    intervals.forEach((interval: unknown, index) => {
      if (typeof interval !== 'string') {
        ctx.addIssue({ code: 'custom', message: 'is not an interval HH:MM-HH:MM', path: [day, index], input: interval });
        return;
      }
      const parsed = parseInterval(interval);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', message: parsed, path: [day, index], input: interval });
        return;
      }
      const overlapped = accepted.find((other) => parsed.startMinute < other.endMinute && other.startMinute < parsed.endMinute);
      if (overlapped) {
        ctx.addIssue({ code: 'custom', message: `overlaps ${quoteValue(overlapped.text)}`, path: [day, index], input: interval });
        return;
      }
      accepted.push({ ...parsed, text: interval });
    });
  }
});

const idSchema = z.string().min(1).max(200);

export const timezoneSchema = z.string().superRefine((zone, ctx) => {
  if (!IANAZone.isValidZone(zone)) ctx.addIssue({ code: 'custom', message: 'is not an IANA time zone', input: zone });
});

export const localDateSchema = z.string().superRefine((date, ctx) => {
  if (!isLocalDate(date)) ctx.addIssue({ code: 'custom', message: 'is not a date YYYY-MM-DD', input: date });
});

export const calendarSchema = z.strictObject({
  id: idSchema,
  timezone: timezoneSchema,
  hours: calendarHoursSchema,
  holidays: z.array(localDateSchema).optional(),
});

/** A list in `match`; a single value is read as a list of one. */
function matchList<T extends z.ZodType>(item: T) {
  return z.preprocess((value) => (typeof value === 'string' ? [value] : value), z.array(item)).optional();
}

export const matchSchema = z.strictObject({
  channel: matchList(z.enum(CHANNELS)),
  priority: matchList(z.enum(PRIORITIES)),
  segment: matchList(z.string()),
  team: matchList(z.string()),
  tags: matchList(z.string()),
});

const targetsShape = Object.fromEntries(SLA_METRICS.map((metric) => [metric, durationSchema().optional()])) as Record<
  (typeof SLA_METRICS)[number],
  z.ZodOptional<ReturnType<typeof durationSchema>>
>;

export const policySchema = z.strictObject({
  id: idSchema,
  match: matchSchema.optional(),
  calendar: idSchema.optional(),
  targets: z.strictObject(targetsShape).optional(),
  warnAt: z.array(z.number().gt(0).lte(1)).optional(),
  pauseOn: z.array(z.enum(CONVERSATION_STATUSES)).optional(),
});

export const commitmentRulesSchema = z.strictObject({
  provider: z.strictObject({ warnBefore: durationSchema({ allowZero: true }).optional() }).optional(),
  customer: z
    .strictObject({
      warnBefore: durationSchema({ allowZero: true }).optional(),
      pattern: z.strictObject({ threshold: z.number().int().min(1), window: durationSchema() }).optional(),
    })
    .optional(),
});

export const silenceRuleSchema = z.strictObject({
  match: matchSchema.optional(),
  within: durationSchema(),
});

const PLACEHOLDER = /\$\{[A-Za-z_][A-Za-z0-9_]*\}/;

const urlSchema = z.string().superRefine((url, ctx) => {
  if (PLACEHOLDER.test(url)) return; // checked once the environment is substituted
  let protocol = '';
  try {
    protocol = new URL(url).protocol;
  } catch {
    // reported below
  }
  if (protocol !== 'http:' && protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'is not an http(s) URL', input: url });
});

const emailSchema = z.string().superRefine((address, ctx) => {
  if (!PLACEHOLDER.test(address) && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) {
    ctx.addIssue({ code: 'custom', message: 'is not an e-mail address', input: address });
  }
});

export const contactSchema = z.strictObject({
  id: idSchema,
  webhook: z
    .strictObject({
      url: urlSchema,
      secret: z.string().optional(),
      /** `slack`: a Slack-compatible incoming-webhook body instead of the JSON escalation (an extension of config.md). */
      format: z.enum(['standard', 'slack']).optional(),
    })
    .optional(),
  email: z.array(emailSchema).optional(),
});

export const escalationSchema = z.strictObject({
  id: idSchema,
  on: z.array(z.enum(OUTPUT_EVENT_TYPES)).min(1),
  match: matchSchema.optional(),
  levels: z
    .array(z.strictObject({ after: durationSchema({ allowZero: true }), notify: z.array(z.string().min(1)).min(1) }))
    .min(1),
  repeat: z.strictObject({ every: durationSchema(), times: z.number().int().min(1) }).optional(),
  ackTimeout: durationSchema().optional(),
  calendar: idSchema.optional(),
});

/** The configuration document of config.md, version 1. */
export const configDocumentSchema = z.strictObject({
  version: z.literal(1),
  calendars: z.array(calendarSchema).optional(),
  policies: z.array(policySchema).optional(),
  promises: commitmentRulesSchema.optional(),
  silence: z.array(silenceRuleSchema).optional(),
  transfers: z.strictObject({ max: z.number().int().min(0) }).optional(),
  feedback: z
    .strictObject({
      detractor: z.strictObject({
        csat: z.number().int().min(1).max(5).optional(),
        nps: z.number().int().min(0).max(10).optional(),
      }),
    })
    .optional(),
  contacts: z.array(contactSchema).optional(),
  escalations: z.array(escalationSchema).optional(),
});

export type ConfigDocument = z.infer<typeof configDocumentSchema>;
export type CalendarConfig = z.infer<typeof calendarSchema>;
export type PolicyConfig = z.infer<typeof policySchema>;
export type MatchConfig = z.infer<typeof matchSchema>;
export type SilenceRuleConfig = z.infer<typeof silenceRuleSchema>;
export type ContactConfig = z.infer<typeof contactSchema>;
export type EscalationConfig = z.infer<typeof escalationSchema>;
