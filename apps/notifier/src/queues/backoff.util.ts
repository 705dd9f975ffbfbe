/**
 * Exponential backoff with full jitter, capped: attempt 1 waits up to 1 s, doubling to a
 * cap of 2 h, so 20 attempts spread over roughly 24 hours before a delivery is dead.
 */
export function jitteredBackoffMs(attemptsMade: number, random: () => number): number {
  const base = 1000 * 2 ** Math.max(0, attemptsMade - 1);
  const capped = Math.min(base, 2 * 3600 * 1000);
  return Math.round(capped / 2 + (random() * capped) / 2);
}
