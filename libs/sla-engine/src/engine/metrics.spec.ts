import { autoReply, engineConfig, ev, inbound, note, only, reply, simulate, status, story } from '../testing/scenario.util';

/** Every metric of semantics.md with a target, around the clock, so instants are easy to read. */
const config = engineConfig(`
version: 1
calendars:
  - { id: always, timezone: UTC, hours: 24x7 }
policies:
  - id: all
    match: {}
    calendar: always
    targets: { acknowledgement: 5m, first_response: 1h, next_response: 2h, periodic_update: 4h, resolution: 8h }
    pauseOn: [pending_customer, on_hold]
`);

const T = (hhmm: string, day = '05') => `2026-11-${day}T${hhmm}:00Z`;

describe('first_response', () => {
  it('starts at the first customer contact and is met by the first public reply', () => {
    const out = simulate(config, [inbound(T('10:00')), reply(T('10:30'))]);
    expect(only(out, 'sla.started')).toEqual([
      expect.objectContaining({ metric: 'acknowledgement', cycle: 1, policy: 'all', at: T('10:00'), dueAt: T('10:05') }),
      expect.objectContaining({ metric: 'first_response', cycle: 1, policy: 'all', at: T('10:00'), dueAt: T('11:00') }),
      expect.objectContaining({ metric: 'resolution', cycle: 1, policy: 'all', at: T('10:00'), dueAt: T('18:00') }),
      expect.objectContaining({ metric: 'periodic_update', cycle: 1, at: T('10:30'), dueAt: T('14:30') }),
    ]);
    expect(only(out, 'sla.met').find((o) => 'metric' in o && o.metric === 'first_response')).toEqual({
      type: 'sla.met',
      at: T('10:30'),
      conversationId: 'c1',
      customerId: 'acme',
      metric: 'first_response',
      cycle: 1,
      onTime: true,
      elapsedSeconds: 1800,
    });
  });

  it('runs only once: a second contact before the reply starts nothing new', () => {
    const out = simulate(config, [inbound(T('10:00')), inbound(T('10:02')), autoReply(T('10:03'))]);
    expect(only(out, 'sla.started').map((o) => (o as { metric: string }).metric)).toEqual(['acknowledgement', 'first_response', 'resolution']);
  });

  it('is cancelled by solved or closed before it is met', () => {
    for (const value of ['solved', 'closed']) {
      const out = simulate(config, [inbound(T('10:00')), status(T('10:10'), value)]);
      expect(story(only(out, 'sla.cancelled', 'sla.met'))).toEqual([
        `sla.cancelled acknowledgement#1 @${T('10:10')}`,
        `sla.cancelled first_response#1 @${T('10:10')}`,
        `sla.met resolution#1 @${T('10:10')}`,
      ]);
      expect(only(out, 'sla.cancelled')[0]).toMatchObject({ reason: value });
    }
  });

  it('is not met by an auto-reply or a note, but is by an answered inbound call', () => {
    const out = simulate(config, [
      inbound(T('10:00')),
      autoReply(T('10:01')),
      note(T('10:02')),
      ev('call', T('10:20'), { channel: 'phone', direction: 'inbound' }),
    ]);
    expect(story(only(out, 'sla.met'))).toEqual([`sla.met acknowledgement#1 @${T('10:01')}`, `sla.met first_response#1 @${T('10:20')}`]);
  });

  it('is started by a missed inbound call (a customer contact), not by an answered one', () => {
    const answered = simulate(config, [ev('call', T('10:00'), { channel: 'phone', direction: 'inbound' })]);
    expect(only(answered, 'sla.started')).toEqual([]);
    const missed = simulate(config, [ev('call', T('10:00'), { channel: 'phone', direction: 'inbound', answered: false })]);
    expect(only(missed, 'sla.started').map((o) => (o as { metric: string }).metric)).toEqual(['acknowledgement', 'first_response', 'resolution']);
  });

  it('is met by a public reply on an outbound call, even an unanswered one', () => {
    const out = simulate(config, [inbound(T('10:00')), ev('call', T('10:10'), { channel: 'phone', direction: 'outbound', answered: false })]);
    expect(story(only(out, 'sla.met'))).toContain(`sla.met first_response#1 @${T('10:10')}`);
  });

  it('is never restarted in a later cycle', () => {
    const out = simulate(config, [inbound(T('10:00')), reply(T('10:10')), status(T('11:00'), 'solved'), status(T('12:00'), 'open'), inbound(T('12:30'))]);
    expect(only(out, 'sla.started').filter((o) => (o as { metric: string }).metric === 'first_response')).toHaveLength(1);
  });
});

describe('acknowledgement', () => {
  it('is met by an auto-reply, and starts again with each next_response', () => {
    const out = simulate(config, [inbound(T('10:00')), autoReply(T('10:01')), reply(T('10:30')), inbound(T('11:00')), reply(T('11:02'))]);
    expect(story(only(out, 'sla.started', 'sla.met').filter((o) => (o as { metric: string }).metric === 'acknowledgement'))).toEqual([
      `sla.started acknowledgement#1 @${T('10:00')}`,
      `sla.met acknowledgement#1 @${T('10:01')}`,
      `sla.started acknowledgement#2 @${T('11:00')}`,
      `sla.met acknowledgement#2 @${T('11:02')}`,
    ]);
  });

  it('breaches at its due instant and is met late afterwards', () => {
    const out = simulate(config, [inbound(T('10:00')), reply(T('10:30'))]);
    const ack = out.filter((o) => (o as { metric?: string }).metric === 'acknowledgement');
    expect(story(ack)).toEqual([`sla.started acknowledgement#1 @${T('10:00')}`, `sla.breached acknowledgement#1 @${T('10:05')}`, `sla.met acknowledgement#1 @${T('10:30')}`]);
    expect(ack[2]).toMatchObject({ onTime: false, elapsedSeconds: 1800 });
    expect(ack[1]).toMatchObject({ dueAt: T('10:05') });
  });
});

describe('next_response', () => {
  it('starts at a customer contact after first_response was met and is met by the next public reply', () => {
    const out = simulate(config, [inbound(T('10:00')), reply(T('10:03')), inbound(T('11:00')), inbound(T('11:30')), reply(T('12:00'))]);
    const next = out.filter((o) => (o as { metric?: string }).metric === 'next_response');
    expect(story(next)).toEqual([`sla.started next_response#1 @${T('11:00')}`, `sla.met next_response#1 @${T('12:00')}`]);
    expect(next[0]).toMatchObject({ dueAt: T('13:00') });
    expect(next[1]).toMatchObject({ onTime: true, elapsedSeconds: 3600 });
  });

  it('counts its cycles', () => {
    const out = simulate(config, [inbound(T('10:00')), reply(T('10:01')), inbound(T('11:00')), reply(T('11:01')), inbound(T('12:00'))]);
    expect(story(only(out, 'sla.started').filter((o) => (o as { metric: string }).metric === 'next_response'))).toEqual([
      `sla.started next_response#1 @${T('11:00')}`,
      `sla.started next_response#2 @${T('12:00')}`,
    ]);
  });

  it('is cancelled by solved', () => {
    const out = simulate(config, [inbound(T('10:00')), reply(T('10:01')), inbound(T('11:00')), status(T('11:10'), 'solved')]);
    expect(story(only(out, 'sla.cancelled'))).toEqual([`sla.cancelled acknowledgement#2 @${T('11:10')}`, `sla.cancelled next_response#1 @${T('11:10')}`, `sla.cancelled periodic_update#1 @${T('11:10')}`]);
  });

  it('starts after a first_response that was cancelled (solved without a reply), when the customer writes again', () => {
    const out = simulate(config, [inbound(T('10:00')), status(T('10:10'), 'solved'), inbound(T('12:00'))]);
    expect(story(only(out, 'sla.started').filter((o) => (o as { metric: string }).metric === 'next_response'))).toEqual([`sla.started next_response#1 @${T('12:00')}`]);
  });
});

describe('periodic_update', () => {
  it('starts at every public reply while open; the next public reply meets it and starts the next cycle', () => {
    const out = simulate(config, [inbound(T('10:00')), reply(T('10:01')), reply(T('13:00')), reply(T('18:00'))], { until: T('18:00') });
    const updates = out.filter((o) => (o as { metric?: string }).metric === 'periodic_update');
    expect(story(updates)).toEqual([
      `sla.started periodic_update#1 @${T('10:01')}`,
      `sla.met periodic_update#1 @${T('13:00')}`,
      `sla.started periodic_update#2 @${T('13:00')}`,
      `sla.breached periodic_update#2 @${T('17:00')}`,
      `sla.met periodic_update#2 @${T('18:00')}`,
      `sla.started periodic_update#3 @${T('18:00')}`,
    ]);
  });

  it('is cancelled by a status other than open and does not start while not open', () => {
    const out = simulate(config, [inbound(T('10:00')), reply(T('10:01')), status(T('10:30'), 'pending_customer'), reply(T('11:00'))]);
    const updates = out.filter((o) => (o as { metric?: string }).metric === 'periodic_update');
    expect(story(updates)).toEqual([`sla.started periodic_update#1 @${T('10:01')}`, `sla.cancelled periodic_update#1 @${T('10:30')}`]);
    expect(updates[1]).toMatchObject({ reason: 'pending_customer' });
  });
});

describe('resolution', () => {
  it('pauses on pauseOn statuses and resumes with the new due instant', () => {
    const out = simulate(config, [inbound(T('10:00')), status(T('11:00'), 'pending_customer'), status(T('12:00'), 'on_hold'), status(T('14:00'), 'open'), status(T('15:00'), 'solved')]);
    const resolution = out.filter((o) => (o as { metric?: string }).metric === 'resolution');
    expect(story(resolution)).toEqual([
      `sla.started resolution#1 @${T('10:00')}`,
      `sla.paused resolution#1 @${T('11:00')}`,
      `sla.resumed resolution#1 @${T('14:00')}`,
      `sla.met resolution#1 @${T('15:00')}`,
    ]);
    expect(resolution[2]).toMatchObject({ dueAt: T('21:00') });
    expect(resolution[3]).toMatchObject({ onTime: true, elapsedSeconds: 2 * 3600 });
  });

  it('runs again in the next cycle when the status goes back to open after solved (a reopen)', () => {
    const out = simulate(config, [inbound(T('10:00')), reply(T('10:01')), status(T('11:00'), 'solved'), status(T('12:00'), 'open'), status(T('13:00'), 'closed')]);
    const resolution = out.filter((o) => (o as { metric?: string }).metric === 'resolution');
    expect(story(resolution)).toEqual([
      `sla.started resolution#1 @${T('10:00')}`,
      `sla.met resolution#1 @${T('11:00')}`,
      `sla.started resolution#2 @${T('12:00')}`,
      `sla.met resolution#2 @${T('13:00')}`,
    ]);
    expect(resolution[2]).toMatchObject({ dueAt: T('20:00') });
  });

  it('keeps running after a breach and reports lateness when met', () => {
    const out = simulate(config, [inbound(T('10:00')), status(T('19:00'), 'solved')]);
    const resolution = out.filter((o) => (o as { metric?: string }).metric === 'resolution');
    expect(story(resolution)).toEqual([`sla.started resolution#1 @${T('10:00')}`, `sla.breached resolution#1 @${T('18:00')}`, `sla.met resolution#1 @${T('19:00')}`]);
    expect(resolution[2]).toMatchObject({ onTime: false, elapsedSeconds: 9 * 3600 });
  });

  it('starts paused when the conversation is in a pauseOn status at the first contact', () => {
    const out = simulate(config, [status(T('09:00'), 'on_hold'), inbound(T('10:00')), status(T('11:00'), 'open')]);
    const resolution = out.filter((o) => (o as { metric?: string }).metric === 'resolution');
    expect(story(resolution)).toEqual([`sla.started resolution#1 @${T('10:00')}`, `sla.paused resolution#1 @${T('10:00')}`, `sla.resumed resolution#1 @${T('11:00')}`]);
    expect(resolution[0]).toMatchObject({ dueAt: null });
    expect(resolution[2]).toMatchObject({ dueAt: T('19:00') });
  });
});

describe('warnings', () => {
  const warned = engineConfig(`
version: 1
calendars: [{ id: always, timezone: UTC, hours: 24x7 }]
policies:
  - { id: p, match: {}, calendar: always, targets: { first_response: 1h }, warnAt: [0.8, 0.5, 1] }
`);

  it('fires at each fraction of the target, in order, before the breach, never after the clock is met', () => {
    const out = simulate(warned, [inbound(T('10:00')), reply(T('11:30'))]);
    expect(story(out)).toEqual([
      `sla.started first_response#1 @${T('10:00')}`,
      `sla.warning first_response#1 @${T('10:30')}`,
      `sla.warning first_response#1 @${T('10:48')}`,
      `sla.warning first_response#1 @${T('11:00')}`,
      `sla.breached first_response#1 @${T('11:00')}`,
      `sla.met first_response#1 @${T('11:30')}`,
    ]);
    expect(only(out, 'sla.warning').map((o) => (o as { threshold: number }).threshold)).toEqual([0.5, 0.8, 1]);
    expect(only(out, 'sla.warning')[0]).toMatchObject({ dueAt: T('11:00') });
    const early = simulate(warned, [inbound(T('10:00')), reply(T('10:40'))], { until: T('12:00') });
    expect(story(only(early, 'sla.warning', 'sla.breached'))).toEqual([`sla.warning first_response#1 @${T('10:30')}`]);
  });
});
