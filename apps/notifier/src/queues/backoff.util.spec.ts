import fc from 'fast-check';

import { jitteredBackoffMs } from './backoff.util';

describe('delivery backoff', () => {
  it('stays between half and all of the capped exponential delay', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (attempts, random) => {
        const delay = jitteredBackoffMs(attempts, () => random);
        const full = Math.min(1000 * 2 ** (attempts - 1), 2 * 3600 * 1000);
        return delay >= full / 2 - 1 && delay <= full;
      }),
      { numRuns: 1000 },
    );
  });

  it('spreads 20 attempts over roughly a day', () => {
    let total = 0;
    for (let attempt = 1; attempt < 20; attempt++) total += jitteredBackoffMs(attempt, () => 1);
    expect(total).toBeGreaterThan(12 * 3600 * 1000);
    expect(total).toBeLessThan(30 * 3600 * 1000);
  });
});
