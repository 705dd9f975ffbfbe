import { engineConfig, ev, inbound, only, reply, simulate, story } from '../testing/scenario.util';

const config = engineConfig(`
version: 1
calendars: [{ id: always, timezone: UTC, hours: 24x7 }]
policies:
  - { id: chat, match: {}, calendar: always, targets: { first_response: 30m } }
promises:
  provider: { warnBefore: 0m }
  customer: { warnBefore: 0m, pattern: { threshold: 2, window: 30d } }
`);

const T = (hhmm: string) => `2026-11-05T${hhmm}:00Z`;
const made = (at: string, id: string, by: string, dueAt: string, fields: Record<string, unknown> = {}) =>
  ev('promise.made', at, { promise: { id, by, dueAt }, ...fields });
const kept = (at: string, id: string, fields: Record<string, unknown> = {}) => ev('promise.kept', at, { promise: { id }, ...fields });

describe('late arrivals', () => {
  it('meets a breached clock on time when the late event occurred by the due instant, and retracts the breach at its arrival', () => {
    const out = simulate(config, [inbound(T('10:00')), reply(T('10:25'), { receivedAt: T('10:40') })]);
    expect(out).toEqual([
      expect.objectContaining({ type: 'sla.started', at: T('10:00') }),
      expect.objectContaining({ type: 'sla.breached', at: T('10:30') }),
      { type: 'sla.met', at: T('10:25'), conversationId: 'c1', customerId: 'acme', metric: 'first_response', cycle: 1, onTime: true, elapsedSeconds: 1500 },
      { type: 'sla.breach_retracted', at: T('10:40'), conversationId: 'c1', customerId: 'acme', metric: 'first_response', cycle: 1 },
    ]);
  });

  it('retracts nothing when the late event occurred after the due instant', () => {
    const out = simulate(config, [inbound(T('10:00')), reply(T('10:35'), { receivedAt: T('10:40') })]);
    expect(story(out)).toEqual([`sla.started first_response#1 @${T('10:00')}`, `sla.breached first_response#1 @${T('10:30')}`, `sla.met first_response#1 @${T('10:35')}`]);
    expect(only(out, 'sla.met')[0]).toMatchObject({ onTime: false });
  });

  it('does not let an event that occurred before a clock started meet it', () => {
    const out = simulate(config, [inbound(T('10:00')), reply(T('09:50'), { receivedAt: T('10:20') })]);
    expect(only(out, 'sla.met')).toEqual([]);
  });

  it('starts a late customer contact at its occurredAt and breaches at its due instant', () => {
    const out = simulate(config, [inbound(T('10:00'), { receivedAt: T('10:45') }), reply(T('10:50'))]);
    expect(story(out)).toEqual([`sla.started first_response#1 @${T('10:00')}`, `sla.breached first_response#1 @${T('10:30')}`, `sla.met first_response#1 @${T('10:50')}`]);
  });

  it('keeps a broken promise on time when the late keep occurred by the due instant, and retracts the break', () => {
    const out = simulate(config, [made(T('10:00'), 'p1', 'provider', T('11:00')), kept(T('10:55'), 'p1', { receivedAt: T('11:10') })]);
    expect(out).toEqual([
      expect.objectContaining({ type: 'promise.made', at: T('10:00') }),
      expect.objectContaining({ type: 'promise.broken', at: T('11:00'), dueAt: T('11:00') }),
      { type: 'promise.kept', at: T('10:55'), conversationId: 'c1', customerId: 'acme', promiseId: 'p1', by: 'provider', onTime: true },
      { type: 'promise.break_retracted', at: T('11:10'), conversationId: 'c1', customerId: 'acme', promiseId: 'p1', by: 'provider' },
    ]);
  });

  it('no longer counts a retracted customer break towards a pattern', () => {
    const out = simulate(config, [
      made(T('10:00'), 'p1', 'customer', T('11:00')),
      kept(T('10:59'), 'p1', { receivedAt: T('11:05') }),
      made(T('12:00'), 'p2', 'customer', T('13:00')),
    ], { until: T('14:00') });
    expect(only(out, 'promise.break_retracted')).toHaveLength(1);
    expect(only(out, 'customer.pattern')).toEqual([]);
  });
});

describe('duplicates', () => {
  it('changes nothing for a second event with the same id and source', () => {
    const first = inbound(T('10:00'));
    const again = { ...inbound(T('10:20')), id: first.id };
    const out = simulate(config, [first, reply(T('10:10')), again]);
    expect(story(out)).toEqual([`sla.started first_response#1 @${T('10:00')}`, `sla.met first_response#1 @${T('10:10')}`]);
  });

  it('applies events with the same id from different sources', () => {
    const first = inbound(T('10:00'), { source: 'zendesk' });
    const other = { ...reply(T('10:10'), { source: 'phone-system' }), id: first.id };
    expect(story(only(simulate(config, [first, other]), 'sla.met'))).toEqual([`sla.met first_response#1 @${T('10:10')}`]);
  });

  it('treats a missing source as "api"', () => {
    const first = inbound(T('10:00'));
    const again = { ...reply(T('10:10'), { source: 'api' }), id: first.id };
    expect(only(simulate(config, [first, again]), 'sla.met')).toEqual([]);
  });
});
