import { InMemoryStateStore } from '../store/in-memory-state.store';
import { SlaEngine } from './sla-engine';
import { engineConfig, ev, inbound, reply, status } from '../testing/scenario.util';

import type { EngineOutcome } from './engine-context';
import type { InteractionEvent } from '@pw/contracts';

const config = engineConfig(`
version: 1
calendars: [{ id: always, timezone: UTC, hours: 24x7 }]
policies:
  - { id: fast, match: {}, calendar: always, targets: { first_response: 1h, resolution: 4h } }
`);

/** Applies events in order and fires every timer due before each, as the service does. */
function outcomesOf(events: InteractionEvent[], until: string): EngineOutcome[] {
  const engine = new SlaEngine('t', config);
  const store = new InMemoryStateStore();
  const outcomes: EngineOutcome[] = [];
  const fire = (limit: number) => {
    for (const state of store.allStates()) {
      if (state.nextDueAt !== null && state.nextDueAt <= limit) outcomes.push(...engine.fireDue(store, state, limit).outcomes);
    }
  };
  for (const event of events) {
    fire(Date.parse(event.receivedAt ?? event.occurredAt) - 1);
    const result = engine.apply(store, event);
    store.save(result.created);
    outcomes.push(...result.outcomes);
  }
  fire(Date.parse(until));
  return outcomes;
}

const promise = (kind: string, at: string, fields: Record<string, unknown>) => ev(kind as InteractionEvent['kind'], at, fields);

describe('engine outcomes (what the metrics count)', () => {
  it('reports a clock met late as breached, with its policy, target and counted time', () => {
    const outcomes = outcomesOf([inbound('2026-11-05T10:00:00Z'), reply('2026-11-05T11:30:00Z')], '2026-11-05T12:00:00Z');
    expect(outcomes).toEqual([
      expect.objectContaining({ kind: 'clock', metric: 'first_response', cycle: 1, policy: 'fast', verdict: 'met', onTime: false, breached: true, countedMs: 90 * 60_000, targetMs: 3_600_000 }),
    ]);
  });

  it('reports a clock met on time as not breached, and a cancelled clock with no verdict', () => {
    const outcomes = outcomesOf([inbound('2026-11-05T10:00:00Z'), reply('2026-11-05T10:20:00Z'), status('2026-11-05T10:30:00Z', 'solved')], '2026-11-05T12:00:00Z');
    expect(outcomes.map((o) => o.kind === 'clock' && [o.metric, o.verdict, o.onTime, o.breached])).toEqual([
      ['first_response', 'met', true, false],
      ['resolution', 'met', true, false],
    ]);
    const cancelled = outcomesOf([inbound('2026-11-05T10:00:00Z'), status('2026-11-05T12:00:00Z', 'closed')], '2026-11-05T12:00:00Z');
    expect(cancelled).toContainEqual(expect.objectContaining({ metric: 'first_response', verdict: 'cancelled', onTime: null, breached: true, countedMs: 2 * 3_600_000 }));
  });

  it('reports a kept commitment, a broken one, and a break retracted by a late keep', () => {
    const made = (id: string, due: string) => promise('promise.made', '2026-11-05T09:00:00Z', { promise: { id, by: 'provider', dueAt: due } });
    const outcomes = outcomesOf(
      [
        made('p1', '2026-11-05T10:00:00Z'),
        made('p2', '2026-11-05T10:00:00Z'),
        promise('promise.kept', '2026-11-05T09:30:00Z', { promise: { id: 'p1', by: 'provider' } }),
        // Kept at 09:50, but it reaches the engine at 11:00, after p2 broke at 10:00.
        promise('promise.kept', '2026-11-05T09:50:00Z', { promise: { id: 'p2', by: 'provider' }, receivedAt: '2026-11-05T11:00:00Z' }),
      ],
      '2026-11-05T12:00:00Z',
    );
    expect(outcomes.map((o) => o.kind === 'commitment' && [o.promiseId, o.verdict, o.dueAt])).toEqual([
      ['p1', 'kept_on_time', Date.parse('2026-11-05T10:00:00Z')],
      ['p2', 'broken', Date.parse('2026-11-05T10:00:00Z')],
      ['p2', 'kept_on_time', Date.parse('2026-11-05T10:00:00Z')],
      ['p2', 'break_retracted', Date.parse('2026-11-05T10:00:00Z')],
    ]);
  });
});
