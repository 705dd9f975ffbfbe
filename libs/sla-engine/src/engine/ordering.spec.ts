import { SlaEngine } from './sla-engine';
import { InMemoryStateStore } from '../store/in-memory-state.store';
import { engineConfig, ev, inbound, only, reply, simulate, status, story } from '../testing/scenario.util';

const config = engineConfig(`
version: 1
calendars: [{ id: always, timezone: UTC, hours: 24x7 }]
policies:
  - { id: p, match: {}, calendar: always, targets: { acknowledgement: 30m, first_response: 30m, resolution: 1h } }
promises:
  provider: { warnBefore: 10m }
`);

const T = (hhmm: string) => `2026-11-05T${hhmm}:00Z`;

describe('ordering', () => {
  it('applies events before timers at the same instant: a reply or a solve exactly at dueAt is on time', () => {
    const out = simulate(config, [inbound(T('10:00')), reply(T('10:30')), status(T('11:00'), 'solved')], { until: T('12:00') });
    expect(only(out, 'sla.breached')).toEqual([]);
    expect(only(out, 'sla.met').map((o) => (o as { onTime: boolean }).onTime)).toEqual([true, true, true]);
  });

  it('fires timers of one conversation due at the same instant in metric order', () => {
    const out = simulate(config, [inbound(T('10:00'))], { until: T('10:30') });
    expect(story(only(out, 'sla.breached'))).toEqual([`sla.breached acknowledgement#1 @${T('10:30')}`, `sla.breached first_response#1 @${T('10:30')}`]);
  });

  it('fires timers in time order across conversations', () => {
    const out = simulate(config, [inbound(T('10:00'), { conversationId: 'a' }), inbound(T('10:10'), { conversationId: 'b' }), ev('promise.made', T('10:12'), { conversationId: 'c', promise: { id: 'x', by: 'provider', dueAt: T('10:35') } })], {
      until: T('10:59'),
    });
    const timed = out.filter((o) => ['sla.breached', 'promise.due_soon', 'promise.broken'].includes(o.type));
    expect(timed.map((o) => `${o.type} ${(o as { conversationId: string }).conversationId} ${o.at}`)).toEqual([
      `promise.due_soon c ${T('10:25')}`,
      `sla.breached a ${T('10:30')}`,
      `sla.breached a ${T('10:30')}`,
      `promise.broken c ${T('10:35')}`,
      `sla.breached b ${T('10:40')}`,
      `sla.breached b ${T('10:40')}`,
    ]);
  });

  it('lets fireDue emit what is due at or before now with at = the due instant', () => {
    const store = new InMemoryStateStore();
    const engine = new SlaEngine('t', config);
    const applied = engine.apply(store, inbound(T('10:00')));
    store.save(applied.changed);
    const conversation = store.conversation('t', 'c1');
    expect(conversation?.nextDueAt).toBe(Date.parse(T('10:30')));
    expect(engine.fireDue(store, conversation!, Date.parse(T('10:29'))).outputs).toEqual([]);
    const fired = engine.fireDue(store, conversation!, Date.parse(T('12:00')));
    expect(story(fired.outputs)).toEqual([`sla.breached acknowledgement#1 @${T('10:30')}`, `sla.breached first_response#1 @${T('10:30')}`, `sla.breached resolution#1 @${T('11:00')}`]);
    expect(conversation?.nextDueAt).toBeNull();
    expect(engine.fireDue(store, conversation!, Date.parse(T('13:00'))).outputs).toEqual([]);
  });
});
