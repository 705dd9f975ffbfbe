import { engineConfig, inbound, only, reply, simulate, story } from '../testing/scenario.util';

/*
 * Counted time on business-hours calendars (semantics.md, "counted time"). Instants in the
 * comments are local; the assertions are UTC. 2026-11-20 and 2026-12-25 are Fridays.
 */
function config(calendar: string, targets: string, warnAt = '[]') {
  return engineConfig(`
version: 1
calendars:
  - ${calendar}
policies:
  - { id: p, match: {}, calendar: c, targets: ${targets}, warnAt: ${warnAt} }
`);
}

const officeNl = `{ id: c, timezone: Europe/Amsterdam, hours: { mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"], thu: ["09:00-17:00"], fri: ["09:00-17:00"] }, holidays: ["2026-12-25", "2026-12-28"] }`;

describe('counted time on a business-hours calendar', () => {
  it('reaches 8h from Monday 09:00 at Monday 17:00, not Tuesday 09:00', () => {
    const out = simulate(config(officeNl, '{ first_response: 8h }'), [inbound('2026-11-23T09:00:00+01:00')]);
    expect(only(out, 'sla.started')[0]).toMatchObject({ dueAt: '2026-11-23T16:00:00Z' });
  });

  it('counts a reply exactly at the due instant as on time, with no breach', () => {
    const out = simulate(config(officeNl, '{ first_response: 8h }'), [inbound('2026-11-23T09:00:00+01:00'), reply('2026-11-23T17:00:00+01:00')], {
      until: '2026-11-24T12:00:00Z',
    });
    expect(story(out)).toEqual(['sla.started first_response#1 @2026-11-23T08:00:00Z', 'sla.met first_response#1 @2026-11-23T16:00:00Z']);
    expect(only(out, 'sla.met')[0]).toMatchObject({ onTime: true, elapsedSeconds: 8 * 3600 });
  });

  it('counts a reply after the due instant as late even in closed time, when counted time no longer grows', () => {
    const out = simulate(config(officeNl, '{ first_response: 8h }'), [inbound('2026-11-23T09:00:00+01:00'), reply('2026-11-23T17:30:00+01:00')]);
    expect(story(out)).toEqual([
      'sla.started first_response#1 @2026-11-23T08:00:00Z',
      'sla.breached first_response#1 @2026-11-23T16:00:00Z',
      'sla.met first_response#1 @2026-11-23T16:30:00Z',
    ]);
    expect(only(out, 'sla.met')[0]).toMatchObject({ onTime: false, elapsedSeconds: 8 * 3600 });
  });

  it('starts counting at the next opening for a clock started outside open hours', () => {
    // Saturday 10:00 → counting from Monday 09:00 → 4h → Monday 13:00.
    const out = simulate(config(officeNl, '{ first_response: 4h }'), [inbound('2026-11-21T10:00:00+01:00'), reply('2026-11-23T10:00:00+01:00')]);
    expect(only(out, 'sla.started')[0]).toMatchObject({ at: '2026-11-21T09:00:00Z', dueAt: '2026-11-23T12:00:00Z' });
    expect(only(out, 'sla.met')[0]).toMatchObject({ onTime: true, elapsedSeconds: 3600 });
  });

  it('skips holidays next to a weekend (Friday and Monday)', () => {
    // Thursday 24 Dec 15:00: 2h that day; Fri 25 holiday, weekend, Mon 28 holiday; Tue 29 09:00 + 2h.
    const out = simulate(config(officeNl, '{ first_response: 4h }'), [inbound('2026-12-24T15:00:00+01:00')]);
    expect(only(out, 'sla.started')[0]).toMatchObject({ dueAt: '2026-12-29T10:00:00Z' });
  });

  it('counts across several intervals a day, warnings included', () => {
    const calendar = `{ id: c, timezone: Europe/Amsterdam, hours: { mon: ["09:00-12:30", "13:00-17:30"] } }`;
    // Monday 11:00: 1.5h to 12:30, then from 13:00: 2h reached at 13:30, 4h at 15:30.
    const out = simulate(config(calendar, '{ first_response: 4h }', '[0.5]'), [inbound('2026-11-23T11:00:00+01:00')], { until: '2026-11-24T00:00:00Z' });
    expect(story(out)).toEqual([
      'sla.started first_response#1 @2026-11-23T10:00:00Z',
      'sla.warning first_response#1 @2026-11-23T12:30:00Z',
      'sla.breached first_response#1 @2026-11-23T14:30:00Z',
    ]);
  });

  it('follows the business hours across the spring-forward weekend in Europe/Amsterdam', () => {
    // Friday 27 March 16:00 CET: 1h; Monday 30 March 09:00 CEST + 3h = 12:00 CEST = 10:00Z.
    const out = simulate(config(officeNl, '{ first_response: 4h }'), [inbound('2026-03-27T16:00:00+01:00')]);
    expect(only(out, 'sla.started')[0]).toMatchObject({ dueAt: '2026-03-30T10:00:00Z' });
  });

  it('counts the 23-hour spring-forward Sunday in Europe/Amsterdam as 23 hours', () => {
    const weekend = `{ id: c, timezone: Europe/Amsterdam, hours: { sat: ["00:00-24:00"], sun: ["00:00-24:00"] } }`;
    // Saturday 00:00 CET + 24h (Saturday) + 23h (Sunday 29 March) = Monday 00:00 CEST.
    const out = simulate(config(weekend, '{ first_response: 47h }'), [inbound('2026-03-28T00:00:00+01:00'), reply('2026-03-29T12:00:00+02:00')]);
    expect(only(out, 'sla.started')[0]).toMatchObject({ dueAt: '2026-03-29T22:00:00Z' });
    // Sunday 00:00 to 12:00 local is 11 real hours.
    expect(only(out, 'sla.met')[0]).toMatchObject({ onTime: true, elapsedSeconds: 35 * 3600 });
  });

  it('counts the 25-hour fall-back Sunday in America/New_York as 25 hours', () => {
    const sunday = `{ id: c, timezone: America/New_York, hours: { sun: ["00:00-24:00"] } }`;
    const out = simulate(config(sunday, '{ first_response: 25h }'), [inbound('2026-11-01T00:00:00-04:00')]);
    expect(only(out, 'sla.started')[0]).toMatchObject({ dueAt: '2026-11-02T05:00:00Z' });
  });

  it('counts the 23-hour spring-forward Sunday in America/New_York as 23 hours', () => {
    const sunday = `{ id: c, timezone: America/New_York, hours: { sun: ["00:00-24:00"] } }`;
    const out = simulate(config(sunday, '{ first_response: 23h }'), [inbound('2026-03-08T00:00:00-05:00')]);
    expect(only(out, 'sla.started')[0]).toMatchObject({ dueAt: '2026-03-09T04:00:00Z' });
  });

  it('follows New York business hours across the fall-back weekend', () => {
    const officeNy = `{ id: c, timezone: America/New_York, hours: { mon: ["08:00-18:00"], tue: ["08:00-18:00"], wed: ["08:00-18:00"], thu: ["08:00-18:00"], fri: ["08:00-18:00"] } }`;
    // Friday 30 Oct 17:00 EDT: 1h; Monday 2 Nov 08:00 EST + 3h = 11:00 EST = 16:00Z.
    const out = simulate(config(officeNy, '{ first_response: 4h }'), [inbound('2026-10-30T17:00:00-04:00')]);
    expect(only(out, 'sla.started')[0]).toMatchObject({ dueAt: '2026-11-02T16:00:00Z' });
  });

  it('gives no due instant for a calendar that never opens, and so no breach', () => {
    const never = `{ id: c, timezone: UTC, hours: {} }`;
    const out = simulate(config(never, '{ first_response: 1h }'), [inbound('2026-11-23T09:00:00Z'), reply('2026-12-23T09:00:00Z')]);
    expect(story(out)).toEqual(['sla.started first_response#1 @2026-11-23T09:00:00Z', 'sla.met first_response#1 @2026-12-23T09:00:00Z']);
    expect(only(out, 'sla.started')[0]).toMatchObject({ dueAt: null });
    expect(only(out, 'sla.met')[0]).toMatchObject({ onTime: true, elapsedSeconds: 0 });
  });

  it('honours holidays on a 24x7 calendar', () => {
    const always = `{ id: c, timezone: UTC, hours: 24x7, holidays: ["2026-12-25"] }`;
    const out = simulate(config(always, '{ resolution: 2d }'), [inbound('2026-12-24T12:00:00Z')]);
    expect(only(out, 'sla.started')[0]).toMatchObject({ dueAt: '2026-12-27T12:00:00Z' });
  });
});
