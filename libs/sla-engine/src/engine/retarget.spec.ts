import { engineConfig, ev, inbound, note, only, reply, simulate, story } from '../testing/scenario.util';

const config = engineConfig(`
version: 1
calendars:
  - { id: always, timezone: UTC, hours: 24x7 }
policies:
  - { id: urgent, match: { priority: [urgent] }, calendar: always, targets: { first_response: 30m, resolution: 4h }, warnAt: [0.5] }
  - { id: key, match: { segment: [key] }, calendar: always, targets: { first_response: 2h } }
  - { id: standard, match: { channel: [email], team: [support] }, calendar: always, targets: { first_response: 4h, resolution: 24h }, warnAt: [0.5] }
`);

const T = (hhmm: string) => `2026-11-05T${hhmm}:00Z`;
const contact = (at: string, fields: Record<string, unknown> = {}) => inbound(at, { team: 'support', ...fields });

describe('retargeting when an attribute changes the policy', () => {
  it('keeps the start and counted time, takes the new target and reports the new due instant', () => {
    const out = simulate(config, [contact(T('10:00')), note(T('10:10'), { priority: 'urgent' })], { until: T('10:20') });
    expect(only(out, 'sla.retargeted')).toEqual([
      { type: 'sla.retargeted', at: T('10:10'), conversationId: 'c1', customerId: 'acme', metric: 'first_response', cycle: 1, policy: 'urgent', dueAt: T('10:30') },
      { type: 'sla.retargeted', at: T('10:10'), conversationId: 'c1', customerId: 'acme', metric: 'resolution', cycle: 1, policy: 'urgent', dueAt: T('14:00') },
    ]);
    // The new policy's warnings follow the new target: 50% of 30m from 10:00.
    expect(story(only(out, 'sla.warning'))).toEqual([`sla.warning first_response#1 @${T('10:15')}`]);
  });

  it('breaches at the instant of the change when the new due instant is already past', () => {
    const out = simulate(config, [contact(T('10:00')), note(T('10:45'), { priority: 'urgent' }), reply(T('11:00'))]);
    const firstResponse = out.filter((o) => (o as { metric?: string }).metric === 'first_response');
    expect(story(firstResponse)).toEqual([
      `sla.started first_response#1 @${T('10:00')}`,
      `sla.retargeted first_response#1 @${T('10:45')}`,
      `sla.breached first_response#1 @${T('10:45')}`,
      `sla.met first_response#1 @${T('11:00')}`,
    ]);
    expect(firstResponse[2]).toMatchObject({ dueAt: T('10:30') });
    expect(firstResponse[3]).toMatchObject({ onTime: false, elapsedSeconds: 3600 });
    // The warning at 10:15 was overtaken by the breach: not reported after the fact.
    expect(only(out, 'sla.warning').filter((o) => (o as { metric: string }).metric === 'first_response')).toEqual([]);
  });

  it('cancels a clock whose metric has no target in the new policy', () => {
    const out = simulate(config, [contact(T('10:00')), note(T('10:10'), { segment: 'key' })]);
    expect(story(only(out, 'sla.retargeted', 'sla.cancelled'))).toEqual([`sla.retargeted first_response#1 @${T('10:10')}`, `sla.cancelled resolution#1 @${T('10:10')}`]);
    expect(only(out, 'sla.cancelled')[0]).toMatchObject({ reason: 'no_target' });
    expect(only(out, 'sla.retargeted')[0]).toMatchObject({ policy: 'key', dueAt: T('12:00') });
  });

  it('cancels every clock when no policy matches any more', () => {
    const out = simulate(config, [contact(T('10:00')), note(T('10:10'), { team: 'billing' })]);
    expect(story(only(out, 'sla.cancelled'))).toEqual([`sla.cancelled first_response#1 @${T('10:10')}`, `sla.cancelled resolution#1 @${T('10:10')}`]);
    expect(only(out, 'sla.cancelled')[0]).toMatchObject({ reason: 'no_policy' });
  });

  it('starts no clock for a conversation no policy matches', () => {
    expect(simulate(config, [inbound(T('10:00'), { channel: 'chat' }), reply(T('10:05'))])).toEqual([]);
  });

  it('retracts a breach the new target no longer supports, and breaches again at the new due instant', () => {
    const out = simulate(config, [contact(T('10:00'), { priority: 'urgent' }), note(T('11:00'), { priority: 'normal' })], { until: T('15:00') });
    const firstResponse = out.filter((o) => (o as { metric?: string }).metric === 'first_response');
    expect(story(firstResponse)).toEqual([
      `sla.started first_response#1 @${T('10:00')}`,
      `sla.warning first_response#1 @${T('10:15')}`,
      `sla.breached first_response#1 @${T('10:30')}`,
      `sla.retargeted first_response#1 @${T('11:00')}`,
      `sla.breach_retracted first_response#1 @${T('11:00')}`,
      `sla.breached first_response#1 @${T('14:00')}`,
    ]);
  });

  it('retargets the running clocks of the customer’s other conversations when its segment changes', () => {
    const out = simulate(config, [contact(T('10:00')), contact(T('10:05'), { conversationId: 'c2' }), note(T('10:10'), { conversationId: 'c2', segment: 'key' })]);
    expect(only(out, 'sla.retargeted').map((o) => [(o as { conversationId: string }).conversationId, (o as { dueAt: string }).dueAt])).toEqual([
      ['c2', T('12:05')],
      ['c1', T('12:00')],
    ]);
  });

  it('keeps the counted time when the new policy has another calendar', () => {
    const calendars = engineConfig(`
version: 1
calendars:
  - { id: always, timezone: UTC, hours: 24x7 }
  - { id: office, timezone: Europe/Amsterdam, hours: { mon: ["09:00-17:00"], tue: ["09:00-17:00"] } }
policies:
  - { id: urgent, match: { priority: [urgent] }, calendar: always, targets: { first_response: 2h } }
  - { id: standard, match: {}, calendar: office, targets: { first_response: 4h } }
`);
    // Monday 16:00 local on office hours; 30 counted minutes at 16:30, then 1.5h around the clock.
    const out = simulate(calendars, [inbound('2026-11-23T16:00:00+01:00'), note('2026-11-23T16:30:00+01:00', { priority: 'urgent' })]);
    expect(only(out, 'sla.started')[0]).toMatchObject({ dueAt: '2026-11-24T11:00:00Z' });
    expect(only(out, 'sla.retargeted')[0]).toMatchObject({ policy: 'urgent', dueAt: '2026-11-23T17:00:00Z' });
  });

  it('applies an event’s attributes before its kind: a contact carrying a priority starts under that priority', () => {
    const out = simulate(config, [contact(T('10:00'), { priority: 'urgent' })]);
    expect(only(out, 'sla.started')[0]).toMatchObject({ policy: 'urgent', dueAt: T('10:30') });
  });

  it('matches tags (at least one) and the latest team, with a transfer moving the team', () => {
    const tagged = engineConfig(`
version: 1
calendars: [{ id: always, timezone: UTC, hours: 24x7 }]
policies:
  - { id: vip, match: { tags: [vip, gold] }, calendar: always, targets: { first_response: 15m } }
  - { id: billing, match: { team: [billing] }, calendar: always, targets: { first_response: 3h } }
  - { id: rest, match: {}, calendar: always, targets: { first_response: 8h } }
`);
    const out = simulate(tagged, [inbound(T('10:00')), ev('transfer', T('10:05'), { toTeam: 'billing' }), note(T('10:10'), { tags: ['gold'] })], { until: T('10:11') });
    expect(only(out, 'sla.started', 'sla.retargeted').map((o) => (o as { policy: string }).policy)).toEqual(['rest', 'billing', 'vip']);
  });
});
