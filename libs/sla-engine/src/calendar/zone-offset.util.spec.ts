import fc from 'fast-check';
import { DateTime } from 'luxon';

import { isKnownZone, zoneOffsets } from './zone-offset.util';

const at = (iso: string) => Date.parse(iso);
/** A local wall-clock time as ms "as if UTC". */
const local = (text: string) => Date.parse(`${text}Z`);
const H = 3_600_000;

describe('ZoneOffsets', () => {
  const amsterdam = zoneOffsets('Europe/Amsterdam');

  it('switches offset exactly at the transition instant', () => {
    expect(amsterdam.offsetAt(at('2026-03-29T01:00:00Z') - 1)).toBe(1 * H);
    expect(amsterdam.offsetAt(at('2026-03-29T01:00:00Z'))).toBe(2 * H);
    expect(amsterdam.offsetAt(at('2026-10-25T01:00:00Z') - 1)).toBe(2 * H);
    expect(amsterdam.offsetAt(at('2026-10-25T01:00:00Z'))).toBe(1 * H);
  });

  it.each([
    ['2026-03-29T01:59:00', '2026-03-29T00:59:00Z'],
    ['2026-03-29T02:00:00', '2026-03-29T01:00:00Z'], // gap: first instant after it
    ['2026-03-29T02:30:00', '2026-03-29T01:00:00Z'],
    ['2026-03-29T03:00:00', '2026-03-29T01:00:00Z'],
    ['2026-03-29T03:01:00', '2026-03-29T01:01:00Z'],
    ['2026-10-25T01:59:00', '2026-10-24T23:59:00Z'],
    ['2026-10-25T02:00:00', '2026-10-25T00:00:00Z'], // ambiguous: the earlier
    ['2026-10-25T02:59:00', '2026-10-25T00:59:00Z'],
    ['2026-10-25T03:00:00', '2026-10-25T02:00:00Z'],
  ])('Europe/Amsterdam %s → %s', (wall, instant) => {
    expect(amsterdam.localToInstant(local(wall))).toBe(at(instant));
  });

  it('handles a zone that skipped a whole day (Pacific/Apia, 2011-12-30)', () => {
    const apia = zoneOffsets('Pacific/Apia');
    expect(apia.localToInstant(local('2011-12-30T12:00:00'))).toBe(at('2011-12-30T10:00:00Z'));
    expect(apia.localToInstant(local('2011-12-31T00:00:00'))).toBe(at('2011-12-30T10:00:00Z'));
    expect(apia.localToInstant(local('2011-12-29T23:59:00'))).toBe(at('2011-12-30T09:59:00Z'));
  });

  it('keeps the seconds of local mean time offsets', () => {
    expect(zoneOffsets('Europe/London').offsetAt(at('1800-06-01T00:00:00Z'))).toBe(-75_000); // -00:01:15
  });

  it('agrees with luxon on the offset at random instants, 1900..2200', () => {
    const zones = ['Europe/Amsterdam', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC', 'Pacific/Chatham'];
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: at('1900-01-01T00:00:00Z') / 1000, max: at('2200-01-01T00:00:00Z') / 1000 }), (zone, seconds) => {
        const t = seconds * 1000;
        expect(zoneOffsets(zone).offsetAt(t)).toBe(Math.round(DateTime.fromMillis(t, { zone }).offset * 60_000));
      }),
      { numRuns: 1000 },
    );
  });

  it('maps local times to instants without ever going back', () => {
    const zones = ['Europe/Amsterdam', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham'];
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: 1970, max: 2200 }), fc.integer({ min: 0, max: 365 * 96 }), fc.integer({ min: 1, max: 8 * 60 }), (zone, year, quarter, minutes) => {
        const offsets = zoneOffsets(zone);
        const a = Date.UTC(year, 0, 1) + quarter * 15 * 60_000;
        const b = a + minutes * 60_000;
        expect(offsets.localToInstant(b)).toBeGreaterThanOrEqual(offsets.localToInstant(a));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('isKnownZone', () => {
  it.each([
    ['Europe/Amsterdam', true],
    ['UTC', true],
    ['Mars/Base', false],
    ['', false],
  ])('%s → %s', (zone, known) => expect(isKnownZone(zone)).toBe(known));
});
