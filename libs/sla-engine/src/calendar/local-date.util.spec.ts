import fc from 'fast-check';

import { DAY_MS, civilFromDays, daysFromCivil, formatLocalDate, parseLocalDate, weekdayIndexOfDay } from './local-date.util';

describe('local dates', () => {
  it('agrees with Date for any day from year 1000 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: -354_285, max: 2_932_896 }), (days) => {
        const date = new Date(days * DAY_MS);
        expect(civilFromDays(days)).toEqual({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() });
        expect(daysFromCivil(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())).toBe(days);
        expect(weekdayIndexOfDay(days)).toBe((date.getUTCDay() + 6) % 7);
        expect(formatLocalDate(days)).toBe(date.toISOString().slice(0, 10));
        expect(parseLocalDate(formatLocalDate(days))).toBe(days);
      }),
      { numRuns: 1000 },
    );
  });

  it.each(['2026-02-29', '2026-04-31', '1900-02-29', '2026-00-10', '2026-01-00', '2026-1-10', ' 2026-01-10', '20260110'])('rejects %s', (text) => {
    expect(parseLocalDate(text)).toBeUndefined();
  });

  it('accepts leap days and writes early years with four digits', () => {
    expect(parseLocalDate('2000-02-29')).toBe(daysFromCivil(2000, 2, 29));
    expect(parseLocalDate('2028-02-29')).toBe(daysFromCivil(2028, 2, 29));
    expect(formatLocalDate(daysFromCivil(1, 1, 1))).toBe('0001-01-01');
    expect(weekdayIndexOfDay(0)).toBe(3); // 1970-01-01, a Thursday
  });
});
