/**
 * Durations of config.md: one or more of `<n>d`, `<n>h`, `<n>m`, `<n>s` in that order
 * (`1h30m`). A day is 24 hours of counted time, not a calendar day.
 */

const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Milliseconds of a duration, or `undefined` when the text is not one. */
export function parseDuration(text: string): number | undefined {
  if (text.length === 0) return undefined;
  const m = DURATION.exec(text);
  if (!m) return undefined;
  const [, d, h, min, s] = m;
  const ms = Number(d ?? 0) * DAY + Number(h ?? 0) * HOUR + Number(min ?? 0) * MINUTE + Number(s ?? 0) * SECOND;
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** Like {@link parseDuration} for a value that already passed validation. */
export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new RangeError(`not a duration: ${JSON.stringify(text)}`);
  return ms;
}
