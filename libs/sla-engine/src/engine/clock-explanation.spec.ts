import { InMemoryStateStore } from '../store/in-memory-state.store';
import { SlaEngine } from './sla-engine';
import { explainClock, formatDuration } from './clock-explanation';
import { engineConfig, inbound, status } from '../testing/scenario.util';

import type { ConversationState } from '../state/engine-state.type';
import type { InteractionEvent } from '@pw/contracts';

const config = engineConfig(`
version: 1
calendars:
  - id: office-nl
    timezone: Europe/Amsterdam
    hours: { mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"], thu: ["09:00-17:00"], fri: ["09:00-17:00"] }
    holidays: ["2026-12-25"]
policies:
  - { id: standard, match: {}, calendar: office-nl, targets: { first_response: 4h, resolution: 8h }, pauseOn: [pending_customer] }
`);

function conversationAfter(events: InteractionEvent[]): ConversationState {
  const engine = new SlaEngine('t', config);
  const store = new InMemoryStateStore();
  for (const event of events) {
    const result = engine.apply(store, event);
    store.save(result.created);
  }
  return store.conversation('t', 'c1') as ConversationState;
}

describe('explainClock', () => {
  it('says how 4h from Friday 16:00 reach Monday 12:00 on an office calendar', () => {
    // Friday 2026-11-27 16:00 in Amsterdam is 15:00 UTC.
    const conversation = conversationAfter([inbound('2026-11-27T15:00:00Z')]);
    const clock = conversation.clocks.find((c) => c.metric === 'first_response');
    if (!clock) throw new Error('no first_response clock');
    const explanation = explainClock(config, clock, Date.parse('2026-11-27T15:30:00Z'));
    expect(explanation.text).toBe('4h on office-nl: 1h Fri 16:00–17:00, weekend closed (Fri 17:00–Mon 09:00), 3h Mon 09:00–12:00');
    expect(explanation.dueAt).toBe(Date.parse('2026-11-30T11:00:00Z'));
    expect(explanation.steps.map((step) => [step.kind, step.countedMs])).toEqual([
      ['counted', 3_600_000],
      ['closed', 0],
      ['counted', 3 * 3_600_000],
    ]);
    // The counted stretches add up to the target.
    expect(explanation.steps.reduce((sum, step) => sum + step.countedMs, 0)).toBe(clock.targetMs);
    expect(explanation.countedMs).toBe(30 * 60_000);
  });

  it('names a holiday and the nights it skips', () => {
    // Thursday 2026-12-24 15:00 Amsterdam; Friday the 25th is a holiday.
    const conversation = conversationAfter([inbound('2026-12-24T14:00:00Z')]);
    const clock = conversation.clocks.find((c) => c.metric === 'first_response');
    if (!clock) throw new Error('no first_response clock');
    const explanation = explainClock(config, clock, Date.parse('2026-12-24T14:00:00Z'));
    expect(explanation.steps.map((step) => step.kind)).toEqual(['counted', 'closed', 'holiday', 'closed', 'counted']);
    expect(explanation.steps.find((step) => step.kind === 'holiday')?.date).toBe('2026-12-25');
    expect(explanation.text).toContain('holiday 2026-12-25 closed');
    expect(explanation.dueAt).toBe(Date.parse('2026-12-28T10:00:00Z'));
  });

  it('shows a pause and no due instant while paused', () => {
    const conversation = conversationAfter([inbound('2026-11-30T08:00:00Z'), status('2026-11-30T09:00:00Z', 'pending_customer')]);
    const clock = conversation.clocks.find((c) => c.metric === 'resolution');
    if (!clock) throw new Error('no resolution clock');
    const explanation = explainClock(config, clock, Date.parse('2026-11-30T10:00:00Z'));
    expect(explanation.paused).toBe(true);
    expect(explanation.dueAt).toBeNull();
    expect(explanation.steps.map((step) => step.kind)).toEqual(['counted', 'paused']);
    expect(explanation.countedMs).toBe(3_600_000);
    expect(explanation.text).toMatch(/not due while paused$/);
    expect(explanation.changes).toEqual([{ at: Date.parse('2026-11-30T09:00:00Z'), calendar: 'office-nl', paused: true }]);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0m'],
    [1500, '2s'],
    [60_000, '1m'],
    [3_600_000, '1h'],
    [27 * 3_600_000 + 5 * 60_000, '1d 3h 5m'],
  ])('%d ms is %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
