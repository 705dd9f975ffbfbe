import fc from 'fast-check';

import { jitteredBackoffMs } from './backoff.util';

describe('delivery backoff', () => {
  it('stays between half and all of the capped exponential delay', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 10_000, max: 7_200_000 }),
        (attempts, random, baseMs, capMs) => {
          const delay = jitteredBackoffMs(attempts, () => random, baseMs, capMs);
          const full = Math.min(baseMs * 2 ** (attempts - 1), capMs);
          return delay >= full / 2 - 1 && delay <= full;
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('is jittered: two draws of the same attempt differ', () => {
    expect(jitteredBackoffMs(5, () => 0)).not.toBe(jitteredBackoffMs(5, () => 0.99));
  });

  it('with the defaults, 24 hours hold about 30 attempts (the window ends it, not a count)', () => {
    let total = 0;
    let attempts = 0;
    while (total < 24 * 3600 * 1000) total += jitteredBackoffMs(++attempts, () => 0.5);
    expect(attempts).toBeGreaterThan(25);
    expect(attempts).toBeLessThan(45);
  });
});
