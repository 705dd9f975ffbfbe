import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

import { parseInteractionEvent } from './interaction-event.parse';
import { publishedInteractionEventSchema } from './interaction-event.schema';

const SCHEMA_FILE = path.resolve(__dirname, '../../schema/interaction-event.v1.schema.json');
const EXAMPLES = path.resolve(__dirname, '../../../../../shared/spec/examples');

function exampleEvents(): unknown[] {
  return readdirSync(EXAMPLES)
    .filter((name) => name.endsWith('.events.jsonl'))
    .flatMap((name) =>
      readFileSync(path.join(EXAMPLES, name), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as unknown),
    );
}

describe('the published JSON Schema of the interaction event', () => {
  const published = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(published);

  it('is what the contract generates (run scripts/write-json-schemas.ts after changing the schema)', () => {
    expect(published).toEqual(publishedInteractionEventSchema());
  });

  it('accepts every event of the spec examples, as the parser does', () => {
    const events = exampleEvents();
    expect(events.length).toBeGreaterThan(10);
    for (const event of events) {
      expect(parseInteractionEvent(event).ok).toBe(true);
      expect({ event, valid: validate(event), errors: validate.errors }).toMatchObject({ valid: true });
    }
  });

  it('refuses what the parser refuses for its shape: an unknown field, a wrong type, a missing id', () => {
    const [event] = exampleEvents() as Array<Record<string, unknown>>;
    expect(validate({ ...event, colour: 'red' })).toBe(false);
    expect(validate({ ...event, kind: 'shout' })).toBe(false);
    const { id: _id, ...withoutId } = event;
    expect(validate(withoutId)).toBe(false);
  });

  it('accepts a CloudEvents envelope around an event', () => {
    const [event] = exampleEvents() as Array<Record<string, unknown>>;
    const envelope = { specversion: '1.0', type: 'com.example.interaction', source: 'helpdesk', id: 'ce-1', data: event };
    expect(validate(envelope)).toBe(true);
    expect(parseInteractionEvent(envelope).ok).toBe(true);
  });
});
