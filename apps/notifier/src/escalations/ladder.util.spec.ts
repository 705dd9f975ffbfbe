import { causeKey, ladderMatches, type Ladder, levelOffsetMs, type SlaEventEnvelope } from './ladder.util';

const ladder: Ladder = {
  id: 'breach',
  on: ['sla.breached', 'promise.broken'],
  match: { priority: ['high', 'urgent'], tags: ['vip', 'press'] },
  levels: [
    { after: '0m', notify: ['team'] },
    { after: '1h30m', notify: ['leads'] },
  ],
};

function envelope(type: string, context: SlaEventEnvelope['context'], extra: Record<string, unknown> = {}): SlaEventEnvelope {
  return {
    eventId: 'e1',
    tenantId: 't1',
    event: { type, at: '2026-12-04T10:00:00Z', customerId: 'c1', conversationId: 'k1', metric: 'first_response', cycle: 1, ...extra },
    context,
  };
}

describe('ladders', () => {
  it('match on the event type and every match field', () => {
    expect(ladderMatches(ladder, envelope('sla.breached', { priority: 'high', tags: ['press'] }))).toBe(true);
    expect(ladderMatches(ladder, envelope('sla.warning', { priority: 'high', tags: ['press'] }))).toBe(false);
    expect(ladderMatches(ladder, envelope('sla.breached', { priority: 'normal', tags: ['press'] }))).toBe(false);
    expect(ladderMatches(ladder, envelope('sla.breached', { priority: 'high', tags: [] }))).toBe(false);
    expect(ladderMatches(ladder, envelope('sla.breached', undefined))).toBe(false);
    expect(ladderMatches({ ...ladder, match: {} }, envelope('sla.breached', undefined))).toBe(true);
  });

  it('key a clock by conversation, metric and cycle, and a commitment by its id', () => {
    expect(causeKey(envelope('sla.breached', {}))).toBe('clock:k1:first_response:1');
    expect(causeKey(envelope('sla.met', {}))).toBe('clock:k1:first_response:1');
    expect(causeKey(envelope('promise.broken', {}, { promiseId: 'p9' }))).toBe('commitment:p9');
    expect(causeKey(envelope('account.silent', {}))).toBe('silence:c1');
  });

  it('reads level offsets as durations', () => {
    expect(levelOffsetMs(ladder, 0)).toBe(0);
    expect(levelOffsetMs(ladder, 1)).toBe(90 * 60_000);
  });
});
