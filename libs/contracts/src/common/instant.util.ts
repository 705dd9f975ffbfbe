/**
 * RFC 3339 instants. The contract demands an explicit offset (`Z` or `±HH:MM`): a local time
 * without one is ambiguous and is rejected rather than guessed.
 */

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
/** Same shape without the offset: recognised only to give a precise error. */
const RFC3339_WITHOUT_OFFSET = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

export type InstantCheck = { ok: true; epochMs: number } | { ok: false; reason: string };

/** Validates an RFC 3339 instant with offset and returns its epoch milliseconds. */
export function checkInstant(text: string): InstantCheck {
  const m = RFC3339.exec(text);
  if (!m) {
    if (RFC3339_WITHOUT_OFFSET.test(text)) return { ok: false, reason: 'has no UTC offset (add Z or ±HH:MM)' };
    return { ok: false, reason: 'is not an RFC 3339 instant' };
  }
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  const offsetHours = m[10] === undefined ? 0 : Number(m[10]);
  const offsetMinutes = m[11] === undefined ? 0 : Number(m[11]);
  const valid =
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHours <= 23 &&
    offsetMinutes <= 59;
  if (!valid) return { ok: false, reason: 'is not a valid date and time' };
  const epochMs = parseInstant(text);
  if (Number.isNaN(epochMs)) return { ok: false, reason: 'is not an RFC 3339 instant' };
  return { ok: true, epochMs };
}

const DIGIT_0 = 48;

function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - DIGIT_0;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/**
 * Epoch milliseconds of an instant that already passed validation. Reads the fixed RFC 3339
 * layout by hand: it runs for every event and is many times faster than `Date.parse`.
 */
export function parseInstant(text: string): number {
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  let index = 19;
  let millis = 0;
  if (text.charCodeAt(index) === 46 /* . */) {
    index++;
    let scale = 100;
    for (; index < text.length; index++) {
      const digit = text.charCodeAt(index) - DIGIT_0;
      if (digit < 0 || digit > 9) break;
      millis += digit * scale; // digits beyond milliseconds are dropped, as Date.parse does
      scale /= 10;
    }
    millis = Math.floor(millis + 1e-9);
  }
  let offsetMinutes = 0;
  const sign = text.charCodeAt(index);
  if (sign === 43 /* + */ || sign === 45 /* - */) {
    offsetMinutes = (digits(text, index + 1, 2) * 60 + digits(text, index + 4, 2)) * (sign === 45 ? -1 : 1);
  } else if (sign !== 90 /* Z */ && sign !== 122 /* z */) {
    return Date.parse(text);
  }
  const epochMs =
    daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis;
  return Number.isNaN(epochMs) ? Date.parse(text) : epochMs;
}

const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => (n < 10 ? `0${n}` : `${n}`));
const DAY_MS = 86_400_000;
/** `YYYY-MM-DD` by day number, for the days seen lately (cleared when it grows large). */
const dateTexts = new Map<number, string>();
/** `THH:MM:SS` by second of the day, filled as seconds are met. */
const timeTexts: string[] = new Array<string>(86_400);

let lastDays = Number.NaN;
let lastDateText = '';

function dateText(days: number): string {
  if (days === lastDays) return lastDateText;
  let text = dateTexts.get(days);
  if (text !== undefined) {
    lastDays = days;
    lastDateText = text;
    return text;
  }
  // Howard Hinnant's civil_from_days.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  text = `${TWO_DIGITS[Math.floor(year / 100)]}${TWO_DIGITS[year % 100]}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}`;
  if (dateTexts.size > 20_000) dateTexts.clear();
  dateTexts.set(days, text);
  return text;
}

function timeText(secondOfDay: number): string {
  let text = timeTexts[secondOfDay];
  if (text === undefined) {
    const hour = Math.floor(secondOfDay / 3600);
    const minute = Math.floor((secondOfDay % 3600) / 60);
    text = `T${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[secondOfDay % 60]}`;
    timeTexts[secondOfDay] = text;
  }
  return text;
}

/** Years 0000–9999 in epoch milliseconds: the range the fast path writes. */
const FAST_MIN = -62_167_219_200_000;
const FAST_MAX = 253_402_300_799_999;

/**
 * RFC 3339 in UTC; whole seconds are written without a fraction (`2026-11-20T15:00:00Z`).
 * It runs for every instant of every output event, so the date and time-of-day texts are
 * cached and joined once, instead of `Date#toISOString` and a slice (several times slower
 * and a dozen short-lived strings per call).
 */
export function formatInstant(epochMs: number): string {
  if (!(epochMs >= FAST_MIN && epochMs <= FAST_MAX)) {
    const iso = new Date(epochMs).toISOString();
    return iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
  }
  const days = Math.floor(epochMs / DAY_MS);
  const msOfDay = epochMs - days * DAY_MS;
  const secondOfDay = Math.floor(msOfDay / 1000);
  const millis = msOfDay - secondOfDay * 1000;
  if (millis === 0) return `${dateText(days)}${timeText(secondOfDay)}Z`;
  return `${dateText(days)}${timeText(secondOfDay)}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date `YYYY-MM-DD` that exists. */
export function isLocalDate(text: string): boolean {
  const m = LOCAL_DATE.exec(text);
  if (!m) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(Number(m[1]), month);
}
