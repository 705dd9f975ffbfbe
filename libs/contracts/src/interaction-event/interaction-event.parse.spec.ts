import fc from 'fast-check';

import { parseInteractionBatch, parseInteractionEvent } from './interaction-event.parse';
import { INTERACTION_BATCH_MAX_ITEMS } from './interaction-event.schema';

const message = {
  id: 'm-1',
  occurredAt: '2026-03-02T09:00:00+01:00',
  kind: 'message',
  conversationId: 'c-1',
  customerId: 'cust-1',
  channel: 'email',
  direction: 'inbound',
};

function problemsOf(input: unknown): string[] {
  const result = parseInteractionEvent(input);
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.event)}`);
  return result.problems.map((problem) => `${problem.path}: ${problem.message}`);
}

describe('parseInteractionEvent', () => {
  it('accepts a message and fills the defaults of events.md', () => {
    const result = parseInteractionEvent(message);
    expect(result.ok && result.event).toMatchObject({ ...message, source: 'api', automated: false, answered: true });
  });

  it('names an unknown top-level field', () => {
    expect(problemsOf({ ...message, colour: 'red' }).join('\n')).toMatch(/colour/);
  });

  it('refuses an instant without an offset, naming the field', () => {
    expect(problemsOf({ ...message, occurredAt: '2026-03-02T09:00:00' })).toEqual([expect.stringMatching(/^occurredAt: /)]);
  });

  it('asks for the fields a kind requires', () => {
    expect(problemsOf({ ...message, channel: undefined })).toEqual(['channel: is required for kind message']);
    expect(problemsOf({ ...message, kind: 'transfer', channel: undefined, direction: undefined })).toEqual([
      'toTeam: is required for kind transfer',
    ]);
    expect(problemsOf({ ...message, kind: 'promise.made', promise: { id: 'p-1' } })).toEqual([
      'promise.by: is required for kind promise.made',
      'promise.dueAt: is required for kind promise.made',
    ]);
  });

  it('refuses a rating outside its scale', () => {
    expect(problemsOf({ ...message, kind: 'feedback', rating: { scale: 'csat', score: 6 } })).toEqual([
      expect.stringMatching(/^rating\.score: 6 is outside csat 1–5/),
    ]);
  });

  it('refuses the NUL character anywhere, since PostgreSQL cannot store it', () => {
    expect(problemsOf({ ...message, id: 'a\u0000b' })).toEqual(['id: contains the NUL character (U+0000)']);
    expect(problemsOf({ ...message, metadata: { deep: [{ x: 'ok' }, { y: '\u0000' }] } })).toEqual([
      'metadata.deep[1].y: contains the NUL character (U+0000)',
    ]);
    expect(problemsOf({ ...message, metadata: { 'k\u0000': 1 } })).toEqual(['metadata: has a key containing the NUL character (U+0000)']);
  });

  it('refuses lone surrogates, which PostgreSQL json and jsonb refuse, and keeps paired ones', () => {
    expect(problemsOf({ ...message, id: 'a\ud800b' })).toEqual(['id: contains a lone UTF-16 surrogate (not valid Unicode)']);
    expect(problemsOf({ ...message, metadata: { note: '\udc00' } })).toEqual(['metadata.note: contains a lone UTF-16 surrogate (not valid Unicode)']);
    expect(parseInteractionEvent({ ...message, id: 'emoji-\ud83d\ude00', metadata: { note: '😀' } }).ok).toBe(true);
  });

  it('refuses an event larger than 64 KiB and metadata larger than 16 KiB', () => {
    expect(problemsOf({ ...message, metadata: { blob: 'x'.repeat(70_000) } })).toEqual([expect.stringMatching(/larger than 64 KiB/)]);
    expect(problemsOf({ ...message, metadata: { blob: 'x'.repeat(17_000) } })).toEqual(['metadata: is larger than 16 KiB as JSON']);
  });

  it('fills id, source and occurredAt from a CloudEvents envelope', () => {
    const { id, occurredAt, ...data } = message;
    const result = parseInteractionEvent({ specversion: '1.0', type: 'com.example.message', source: 'helpdesk', id, time: occurredAt, data });
    expect(result.ok && result.event).toMatchObject({ id: 'm-1', source: 'helpdesk', occurredAt });
  });

  it('keeps what the CloudEvents data sets itself, and refuses unknown envelope attributes', () => {
    const envelope = { specversion: '1.0', type: 't', source: 'envelope', id: 'e-1', data: { ...message, source: 'inner' } };
    const result = parseInteractionEvent(envelope);
    expect(result.ok && [result.event.id, result.event.source]).toEqual(['m-1', 'inner']);
    expect(problemsOf({ ...envelope, Bad_Name: 1 })).toEqual(['Bad_Name: is not a CloudEvents attribute']);
    expect(problemsOf({ ...envelope, data: { ...message, kind: 'nope' } })[0]).toMatch(/^data\.kind: /);
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true }), (input) => {
        const result = parseInteractionEvent(input);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses every mutation of a required field', () => {
    const required = ['id', 'occurredAt', 'kind', 'conversationId', 'customerId'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...required), fc.oneof(fc.constant(undefined), fc.integer(), fc.constant(''), fc.constant(null)), (field, value) => {
        const result = parseInteractionEvent({ ...message, [field]: value });
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.problems.map((problem) => problem.path)).toContain(field);
      }),
    );
  });
});

describe('parseInteractionBatch', () => {
  it('lists every bad item by index and accepts none', () => {
    const result = parseInteractionBatch([message, { ...message, kind: 'x' }, message, { ...message, id: '' }]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((problem) => [problem.index, problem.path])).toEqual([[1, 'kind'], [3, 'id']]);
  });

  it('refuses an empty batch and one that is too long', () => {
    expect(parseInteractionBatch([]).ok).toBe(false);
    expect(parseInteractionBatch(Array.from({ length: INTERACTION_BATCH_MAX_ITEMS + 1 }, () => message)).ok).toBe(false);
    expect(parseInteractionBatch(Array.from({ length: INTERACTION_BATCH_MAX_ITEMS }, () => message)).ok).toBe(true);
  });
});
