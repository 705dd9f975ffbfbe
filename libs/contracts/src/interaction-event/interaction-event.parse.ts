import {
  CLOUD_EVENT_CONTEXT_ATTRIBUTES,
  CLOUD_EVENT_EXTENSION_NAME,
  cloudEventEnvelopeSchema,
  INTERACTION_BATCH_MAX_ITEMS,
  INTERACTION_EVENT_MAX_BYTES,
  INTERACTION_METADATA_MAX_BYTES,
  interactionEventSchema,
} from './interaction-event.schema';
import { problemAt, problemsFromZodIssues } from '../common/problem.util';
import { RATING_RANGES } from '../common/vocabulary.constant';

import type { InteractionEvent, InteractionEventInput } from './interaction-event.schema';
import type { PathSegment, Problem } from '../common/problem.util';
import type { InteractionKind } from '../common/vocabulary.constant';

export type InteractionEventParseResult =
  | { ok: true; event: InteractionEvent }
  | { ok: false; problems: Problem[] };

export interface InteractionEventParseOptions {
  /** Size of the event as received, when known (a line of a file, a Kafka record). */
  sizeBytes?: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonBytes(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

const CONVERSATIONAL_KINDS = new Set<InteractionKind>(['message', 'call']);

/** Requirements of events.md that depend on `kind`; checked on the raw object. */
function kindProblems(raw: Record<string, unknown>, prefix: readonly PathSegment[]): Problem[] {
  const kind = raw.kind as InteractionKind;
  const problems: Problem[] = [];
  const require = (field: string) => {
    if (raw[field] === undefined) problems.push(problemAt([...prefix, field], undefined, `is required for kind ${kind}`));
  };
  if (CONVERSATIONAL_KINDS.has(kind)) {
    require('channel');
    require('direction');
  }
  if (kind === 'status') require('status');
  if (kind === 'transfer') require('toTeam');
  if (kind === 'feedback') require('rating');
  if (kind === 'promise.made' || kind === 'promise.kept' || kind === 'promise.cancelled') {
    require('promise');
    const commitment = raw.promise;
    if (kind === 'promise.made' && isPlainObject(commitment)) {
      for (const field of ['by', 'dueAt']) {
        if (commitment[field] === undefined) {
          problems.push(problemAt([...prefix, 'promise', field], undefined, 'is required for kind promise.made'));
        }
      }
    }
  }
  const rating = raw.rating;
  if (isPlainObject(rating) && typeof rating.score === 'number' && Number.isInteger(rating.score)) {
    const range = RATING_RANGES[rating.scale as keyof typeof RATING_RANGES];
    if (range && (rating.score < range.min || rating.score > range.max)) {
      problems.push(problemAt([...prefix, 'rating', 'score'], rating.score, `is outside ${rating.scale} ${range.min}–${range.max}`));
    }
  }
  if (isPlainObject(raw.metadata) && jsonBytes(raw.metadata) > INTERACTION_METADATA_MAX_BYTES) {
    problems.push(problemAt([...prefix, 'metadata'], undefined, 'is larger than 16 KiB as JSON'));
  }
  return problems;
}

/**
 * The normalised form of a valid event: the defaults of events.md filled in, instants with an
 * upper-case `T`/`Z`, and every field present (absent ones `undefined`) in one order. One
 * shape for every event keeps property access monomorphic in the engine's hot path;
 * `JSON.stringify` drops the `undefined` fields again.
 */
export function normaliseInteractionEvent(valid: InteractionEventInput): InteractionEvent {
  const promise = valid.promise;
  return {
    id: valid.id,
    source: valid.source ?? 'api',
    occurredAt: valid.occurredAt.toUpperCase(),
    receivedAt: valid.receivedAt?.toUpperCase(),
    kind: valid.kind,
    conversationId: valid.conversationId,
    customerId: valid.customerId,
    channel: valid.channel,
    direction: valid.direction,
    automated: valid.automated ?? false,
    answered: valid.answered ?? true,
    status: valid.status,
    priority: valid.priority,
    tags: valid.tags,
    segment: valid.segment,
    team: valid.team,
    agent: valid.agent,
    toTeam: valid.toTeam,
    promise:
      promise === undefined
        ? undefined
        : { id: promise.id, by: promise.by, dueAt: promise.dueAt?.toUpperCase(), description: promise.description },
    rating: valid.rating,
    metadata: valid.metadata,
  };
}

// A surrogate that is not half of a pair (in a u-flag pattern, a pair is one code point).
const LONE_SURROGATE = /\p{Cs}/u;

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'a lone UTF-16 surrogate (not valid Unicode)';
  return undefined;
}

/**
 * Text PostgreSQL cannot store, anywhere in the event (values or metadata keys): U+0000, and
 * lone surrogates (JSON escapes them as \udXXX, which json and jsonb refuse). An event holding
 * one could be accepted at the door and then stall every service that stores it; it is
 * refused here instead. Iterative: metadata may nest deeply.
 */
function unstorableTextProblems(raw: Record<string, unknown>, prefix: readonly PathSegment[]): Problem[] {
  const problems: Problem[] = [];
  const pending: Array<{ value: unknown; path: PathSegment[] }> = [{ value: raw, path: [...prefix] }];
  while (pending.length > 0 && problems.length < 10) {
    const { value, path } = pending.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) problems.push(problemAt(path, undefined, `contains ${problem}`));
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push({ value: item, path: [...path, index] }));
    } else if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        const problem = textProblem(key);
        if (problem) problems.push(problemAt(path, undefined, `has a key containing ${problem}`));
        pending.push({ value: item, path: [...path, key] });
      }
    }
  }
  return problems;
}

function parsePlainEvent(raw: unknown, prefix: readonly PathSegment[]): InteractionEventParseResult {
  if (!isPlainObject(raw)) return { ok: false, problems: [problemAt(prefix, raw, 'is not an object')] };
  const result = interactionEventSchema.safeParse(raw, { reportInput: true });
  const problems = result.success ? [] : problemsFromZodIssues(result.error.issues, prefix);
  problems.push(...kindProblems(raw, prefix));
  if (problems.length === 0) problems.push(...unstorableTextProblems(raw, prefix));
  if (problems.length > 0 || !result.success) return { ok: false, problems };
  return { ok: true, event: normaliseInteractionEvent(result.data) };
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === '';
}

/** A CloudEvents 1.0 envelope: its `id`, `source` and `time` fill the fields `data` leaves empty. */
function parseCloudEvent(raw: Record<string, unknown>): InteractionEventParseResult {
  const envelope = cloudEventEnvelopeSchema.safeParse(raw, { reportInput: true });
  const problems = envelope.success ? [] : problemsFromZodIssues(envelope.error.issues);
  for (const key of Object.keys(raw)) {
    if (!CLOUD_EVENT_CONTEXT_ATTRIBUTES.has(key) && !CLOUD_EVENT_EXTENSION_NAME.test(key)) {
      problems.push(problemAt([key], undefined, 'is not a CloudEvents attribute'));
    }
  }
  if (!envelope.success || problems.length > 0) return { ok: false, problems };
  const { data, id, source, time } = envelope.data;
  const filled: Record<string, unknown> = { ...data };
  if (isEmpty(filled.id)) filled.id = id;
  if (isEmpty(filled.source)) filled.source = source;
  if (isEmpty(filled.occurredAt) && time !== undefined) filled.occurredAt = time;
  return parsePlainEvent(filled, ['data']);
}

/**
 * Validates one interaction event (plain, or in a CloudEvents 1.0 envelope) and returns it
 * normalised, or every problem found, each naming its field.
 */
export function parseInteractionEvent(input: unknown, options: InteractionEventParseOptions = {}): InteractionEventParseResult {
  const sizeBytes = options.sizeBytes ?? jsonBytes(input);
  if (sizeBytes > INTERACTION_EVENT_MAX_BYTES) {
    return { ok: false, problems: [{ path: '', message: `the event is larger than 64 KiB (${sizeBytes} bytes)` }] };
  }
  if (isPlainObject(input) && 'specversion' in input) return parseCloudEvent(input);
  return parsePlainEvent(input, []);
}

export interface BatchProblem extends Problem {
  /** Position of the bad item in the batch (0 for a single object). */
  index: number;
}

export type InteractionBatchParseResult =
  | { ok: true; events: InteractionEvent[] }
  | { ok: false; problems: BatchProblem[] };

/**
 * One event or an array of at most {@link INTERACTION_BATCH_MAX_ITEMS}, as `POST /v1/interactions`
 * takes them. A bad item rejects the whole batch; every bad item is listed by index.
 */
export function parseInteractionBatch(input: unknown): InteractionBatchParseResult {
  const items = Array.isArray(input) ? input : [input];
  if (Array.isArray(input) && input.length > INTERACTION_BATCH_MAX_ITEMS) {
    return { ok: false, problems: [{ index: 0, path: '', message: `the batch has more than ${INTERACTION_BATCH_MAX_ITEMS} events` }] };
  }
  if (Array.isArray(input) && input.length === 0) {
    return { ok: false, problems: [{ index: 0, path: '', message: 'the batch is empty' }] };
  }
  const events: InteractionEvent[] = [];
  const problems: BatchProblem[] = [];
  items.forEach((item, index) => {
    const result = parseInteractionEvent(item);
    if (result.ok) events.push(result.event);
    else for (const problem of result.problems) problems.push({ index, ...problem });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, events };
}

/**
 * The idempotency key of an event within its tenant (events.md: unique per tenant and
 * `source`). A second event with the same key changes nothing.
 */
export function interactionEventKey(event: Pick<InteractionEvent, 'source' | 'id'>): string {
  return `${event.source}\u0000${event.id}`;
}
