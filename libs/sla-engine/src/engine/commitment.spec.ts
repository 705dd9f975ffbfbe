import { SlaEngine } from './sla-engine';
import { InMemoryStateStore } from '../store/in-memory-state.store';
import { engineConfig, ev, only, simulate, story } from '../testing/scenario.util';

const config = engineConfig(`
version: 1
promises:
  provider: { warnBefore: 2h }
  customer: { warnBefore: 0m, pattern: { threshold: 2, window: 30d } }
`);

const T = (hhmm: string, day = '05') => `2026-11-${day}T${hhmm}:00Z`;
const made = (at: string, id: string, by: string, dueAt: string, fields: Record<string, unknown> = {}) =>
  ev('promise.made', at, { promise: { id, by, dueAt, description: 'call back' }, ...fields });
const kept = (at: string, id: string, fields: Record<string, unknown> = {}) => ev('promise.kept', at, { promise: { id }, ...fields });
const cancelled = (at: string, id: string) => ev('promise.cancelled', at, { promise: { id } });

describe('commitments (promises)', () => {
  it('warns warnBefore ahead and breaks at dueAt when still open', () => {
    const out = simulate(config, [made(T('09:00'), 'p1', 'provider', T('12:00'))], { until: T('13:00') });
    expect(out).toEqual([
      { type: 'promise.made', at: T('09:00'), conversationId: 'c1', customerId: 'acme', promiseId: 'p1', by: 'provider', dueAt: T('12:00') },
      { type: 'promise.due_soon', at: T('10:00'), conversationId: 'c1', customerId: 'acme', promiseId: 'p1', by: 'provider', dueAt: T('12:00') },
      { type: 'promise.broken', at: T('12:00'), conversationId: 'c1', customerId: 'acme', promiseId: 'p1', by: 'provider', dueAt: T('12:00') },
    ]);
  });

  it('records a keep at the due instant as on time, and a keep after the break as late without retraction', () => {
    const onTime = simulate(config, [made(T('09:00'), 'p1', 'provider', T('12:00')), kept(T('12:00'), 'p1')], { until: T('13:00') });
    expect(story(onTime)).toEqual([`promise.made p1 @${T('09:00')}`, `promise.due_soon p1 @${T('10:00')}`, `promise.kept p1 @${T('12:00')}`]);
    expect(only(onTime, 'promise.kept')[0]).toMatchObject({ onTime: true });
    const late = simulate(config, [made(T('09:00'), 'p1', 'provider', T('12:00')), kept(T('12:30'), 'p1')]);
    expect(story(late).slice(-2)).toEqual([`promise.broken p1 @${T('12:00')}`, `promise.kept p1 @${T('12:30')}`]);
    expect(only(late, 'promise.kept')[0]).toMatchObject({ onTime: false });
  });

  it('gives no due_soon when warnBefore is 0, nor for a promise made already inside its warning window', () => {
    expect(only(simulate(config, [made(T('09:00'), 'p1', 'customer', T('12:00'))], { until: T('13:00') }), 'promise.due_soon')).toEqual([]);
    expect(only(simulate(config, [made(T('11:00'), 'p2', 'provider', T('12:00'))], { until: T('13:00') }), 'promise.due_soon')).toEqual([]);
  });

  it('reschedules when made again with another dueAt, also after a break (it is open again)', () => {
    const out = simulate(
      config,
      [made(T('09:00'), 'p1', 'provider', T('12:00')), made(T('09:30'), 'p1', 'provider', T('15:00')), made(T('09:40'), 'p1', 'provider', T('15:00')), kept(T('16:00'), 'p2')],
      { until: T('16:00') },
    );
    expect(story(out)).toEqual([`promise.made p1 @${T('09:00')}`, `promise.rescheduled p1 @${T('09:30')}`, `promise.due_soon p1 @${T('13:00')}`, `promise.broken p1 @${T('15:00')}`]);
    expect(only(out, 'promise.rescheduled')[0]).toMatchObject({ dueAt: T('15:00') });
    const again = simulate(config, [made(T('09:00'), 'p1', 'provider', T('10:00')), made(T('10:30'), 'p1', 'provider', T('18:00')), kept(T('17:00'), 'p1')]);
    expect(story(again)).toEqual([`promise.made p1 @${T('09:00')}`, `promise.broken p1 @${T('10:00')}`, `promise.rescheduled p1 @${T('10:30')}`, `promise.due_soon p1 @${T('16:00')}`, `promise.kept p1 @${T('17:00')}`]);
    expect(only(again, 'promise.kept')[0]).toMatchObject({ onTime: true });
  });

  it('closes without verdict on cancel', () => {
    const out = simulate(config, [made(T('09:00'), 'p1', 'provider', T('12:00')), cancelled(T('09:10'), 'p1')], { until: T('13:00') });
    expect(story(out)).toEqual([`promise.made p1 @${T('09:00')}`, `promise.cancelled p1 @${T('09:10')}`]);
  });

  it('ignores and counts a keep or cancel of an unknown promise', () => {
    const store = new InMemoryStateStore();
    const engine = new SlaEngine('t', config);
    const result = engine.apply(store, kept(T('09:00'), 'nope'));
    expect(result.outputs).toEqual([]);
    expect(result.notes).toEqual([{ code: 'unknown_commitment', conversationId: 'c1', detail: 'promise.kept nope' }]);
    expect(engine.apply(store, cancelled(T('09:01'), 'nope')).notes).toHaveLength(1);
  });

  it('breaks a promise made with a due instant already past at the instant it is made', () => {
    const out = simulate(config, [made(T('09:00'), 'p1', 'customer', T('08:00'))]);
    expect(only(out, 'promise.broken')[0]).toMatchObject({ at: T('09:00'), dueAt: T('08:00') });
  });
});

describe('customer.pattern', () => {
  it('fires when a customer break brings the trailing window to the threshold, with the count', () => {
    const out = simulate(
      config,
      [
        made(T('09:00', '01'), 'a', 'customer', T('10:00', '01')),
        made(T('09:00', '10'), 'b', 'customer', T('10:00', '10'), { conversationId: 'c2' }),
        made(T('09:00', '20'), 'c', 'customer', T('10:00', '20'), { conversationId: 'c3' }),
      ],
      { until: T('12:00', '20') },
    );
    expect(only(out, 'customer.pattern')).toEqual([
      { type: 'customer.pattern', at: T('10:00', '10'), customerId: 'acme', count: 2 },
      { type: 'customer.pattern', at: T('10:00', '20'), customerId: 'acme', count: 3 },
    ]);
  });

  it('counts only breaks within the window and only the customer’s own promises', () => {
    const out = simulate(
      config,
      [
        made('2026-10-01T09:00:00Z', 'a', 'customer', '2026-10-01T10:00:00Z'),
        made(T('09:00', '10'), 'b', 'customer', T('10:00', '10')),
        made(T('09:00', '11'), 'c', 'provider', T('10:00', '11')),
        made(T('09:00', '12'), 'd', 'customer', T('10:00', '12'), { customerId: 'other' }),
      ],
      { until: T('12:00', '12') },
    );
    expect(only(out, 'customer.pattern')).toEqual([]);
  });
});
