/**
 * Exponential backoff with jitter, capped: retry n waits between half and all of
 * base·2^(n-1), at most `capMs`. The retry window, not an attempt count, decides when a
 * delivery is dead (24 h by default).
 */
export function jitteredBackoffMs(attemptsMade: number, random: () => number, baseMs = 1000, capMs = 3_600_000): number {
  const base = baseMs * 2 ** Math.min(40, Math.max(0, attemptsMade - 1));
  const capped = Math.min(base, capMs);
  return Math.round(capped / 2 + (random() * capped) / 2);
}
