import { z } from 'zod';

import { checkInstant } from '../common/instant.util';
import {
  CHANNELS,
  COMMITMENT_PARTIES,
  CONVERSATION_STATUSES,
  DIRECTIONS,
  INTERACTION_KINDS,
  PRIORITIES,
  RATING_SCALES,
} from '../common/vocabulary.constant';

/** Size limits of events.md. */
export const INTERACTION_EVENT_MAX_BYTES = 64 * 1024;
export const INTERACTION_METADATA_MAX_BYTES = 16 * 1024;
/** The intake service accepts arrays of at most this many events in one request. */
export const INTERACTION_BATCH_MAX_ITEMS = 1000;

/** An RFC 3339 instant with an explicit offset. */
export const instantSchema = z
  .string()
  .superRefine((text, ctx) => {
    const check = checkInstant(text);
    if (!check.ok) ctx.addIssue({ code: 'custom', message: check.reason, input: text });
  })
  .meta({ format: 'date-time', description: 'RFC 3339 instant with an explicit offset (Z or ±hh:mm)' });

const text = (max: number) => z.string().min(1).max(max);

/** The `promise` object. Inside it unknown keys are dropped: only the top level is closed. */
export const commitmentRefSchema = z.object({
  id: text(200),
  by: z.enum(COMMITMENT_PARTIES).optional(),
  dueAt: instantSchema.optional(),
  description: z.string().max(2000).optional(),
});

export const ratingSchema = z.object({
  scale: z.enum(RATING_SCALES),
  score: z.number().int(),
});

/**
 * The interaction event of events.md, version 1, as it arrives. Requirements that depend on
 * `kind` (a `channel` for messages, …) and the size limits are checked by
 * `parseInteractionEvent`, which also applies the defaults.
 */
export const interactionEventSchema = z.strictObject({
  id: text(200),
  source: text(100).optional(),
  occurredAt: instantSchema,
  receivedAt: instantSchema.optional(),
  kind: z.enum(INTERACTION_KINDS),
  conversationId: text(200),
  customerId: text(200),
  channel: z.enum(CHANNELS).optional(),
  direction: z.enum(DIRECTIONS).optional(),
  automated: z.boolean().optional(),
  answered: z.boolean().optional(),
  status: z.enum(CONVERSATION_STATUSES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  tags: z.array(z.string().max(200)).optional(),
  segment: z.string().max(200).optional(),
  team: z.string().max(200).optional(),
  agent: z.string().max(200).optional(),
  toTeam: text(200).optional(),
  promise: commitmentRefSchema.optional(),
  rating: ratingSchema.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export type InteractionEventInput = z.input<typeof interactionEventSchema>;

/** An interaction event after validation, with the defaults of events.md filled in. */
export interface InteractionEvent {
  id: string;
  /** The publishing system; `"api"` when not given. */
  source: string;
  /** RFC 3339 with offset; every SLA computation uses this instant. */
  occurredAt: string;
  /** RFC 3339 arrival instant, when the intake service (or a replay file) set it. */
  receivedAt?: string;
  kind: z.infer<typeof interactionEventSchema>['kind'];
  conversationId: string;
  customerId: string;
  channel?: z.infer<typeof interactionEventSchema>['channel'];
  direction?: z.infer<typeof interactionEventSchema>['direction'];
  automated: boolean;
  answered: boolean;
  status?: z.infer<typeof interactionEventSchema>['status'];
  priority?: z.infer<typeof interactionEventSchema>['priority'];
  tags?: string[];
  segment?: string;
  team?: string;
  agent?: string;
  toTeam?: string;
  promise?: z.infer<typeof commitmentRefSchema>;
  rating?: z.infer<typeof ratingSchema>;
  metadata?: Record<string, unknown>;
}

/** The CloudEvents 1.0 attributes we know; `data` carries the interaction event. */
export const cloudEventEnvelopeSchema = z.object({
  specversion: z.literal('1.0'),
  type: text(500),
  source: text(500),
  id: text(200),
  time: instantSchema.optional(),
  datacontenttype: z.string().optional(),
  dataschema: z.string().optional(),
  subject: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
});

export const CLOUD_EVENT_CONTEXT_ATTRIBUTES = new Set(Object.keys(cloudEventEnvelopeSchema.shape));
/** CloudEvents extension attribute names: lower-case letters and digits, at most 20. */
export const CLOUD_EVENT_EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

export type JsonSchemaTarget = 'draft-2020-12' | 'openapi-3.0';

const KIND_RULES =
  'Rules that depend on kind (events.md): message and call need channel and direction; status needs status; ' +
  'transfer needs toTeam; feedback needs rating (csat 1–5, nps 0–10); promise.made, promise.kept and promise.cancelled ' +
  'need promise, and promise.made also promise.by and promise.dueAt. At most 64 KiB as JSON, metadata at most 16 KiB; ' +
  'no string may contain U+0000 or a lone UTF-16 surrogate.';

function toJsonSchema(schema: z.ZodType, target: JsonSchemaTarget): Record<string, unknown> {
  const document = z.toJSONSchema(schema, { target, unrepresentable: 'any' }) as Record<string, unknown>;
  delete document['$schema'];
  return document;
}

/** JSON Schema of the interaction event (generated from the zod schema the services use). */
export function interactionEventJsonSchema(target: JsonSchemaTarget = 'draft-2020-12'): Record<string, unknown> {
  return { ...toJsonSchema(interactionEventSchema, target), title: 'InteractionEvent', description: `An interaction event, version 1. ${KIND_RULES}` };
}

/** JSON Schema of a CloudEvents 1.0 envelope whose data is an interaction event. */
export function cloudEventEnvelopeJsonSchema(target: JsonSchemaTarget = 'draft-2020-12'): Record<string, unknown> {
  return {
    ...toJsonSchema(cloudEventEnvelopeSchema, target),
    title: 'InteractionCloudEvent',
    description:
      'A CloudEvents 1.0 envelope; data is an interaction event whose empty id, source and occurredAt are filled from the ' +
      'envelope id, source and time. Extension attributes: lower-case letters and digits, at most 20.',
  };
}

/**
 * The JSON Schema published with the project (libs/contracts/schema/) for publishers that do
 * not use TypeScript: one interaction event, plain or in a CloudEvents envelope.
 */
export function publishedInteractionEventSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://promise-watch.example/schemas/interaction-event.v1.schema.json',
    title: 'Interaction event, version 1',
    description: `One interaction event as POST /v1/interactions (one, or an array of up to 1,000) and the Kafka topic interactions.v1 take it. ${KIND_RULES}`,
    oneOf: [{ $ref: '#/$defs/InteractionEvent' }, { $ref: '#/$defs/InteractionCloudEvent' }],
    $defs: { InteractionEvent: interactionEventJsonSchema(), InteractionCloudEvent: cloudEventEnvelopeJsonSchema() },
  };
}
