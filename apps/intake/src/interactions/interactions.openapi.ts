import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

import { cloudEventEnvelopeJsonSchema, INTERACTION_BATCH_MAX_ITEMS, interactionEventJsonSchema } from '@pw/contracts';

// The OpenAPI document's schemas come from the same zod schemas that validate the requests.
const event = interactionEventJsonSchema('openapi-3.0') as SchemaObject;
const cloudEvent = cloudEventEnvelopeJsonSchema('openapi-3.0') as SchemaObject;
const oneEvent: SchemaObject = { oneOf: [event, cloudEvent] };

export const INGEST_REQUEST_SCHEMA: SchemaObject = {
  oneOf: [oneEvent, { type: 'array', items: oneEvent, minItems: 1, maxItems: INTERACTION_BATCH_MAX_ITEMS }],
};

export const INGEST_RESULT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['accepted', 'duplicates'],
  properties: {
    accepted: { type: 'integer', description: 'events new to the service, now durable' },
    duplicates: { type: 'integer', description: 'events already accepted before (same tenant, source and id), or repeated in this request' },
  },
};

export const PROBLEM_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'RFC 9457 application/problem+json',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'reason'],
        properties: {
          index: { type: 'integer', description: 'position of the bad item in the request (0 for a single event)' },
          field: { type: 'string', description: 'path of the bad field, e.g. promise.dueAt' },
          reason: { type: 'string' },
        },
      },
    },
  },
};
