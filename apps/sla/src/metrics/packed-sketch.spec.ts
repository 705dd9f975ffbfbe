import fc from 'fast-check';

import { quantileMs } from '../queries/metric-answer';
import { sketchBin, sketchMapping, ZERO_BIN } from './metric-deltas';
import { addPackedCounters, addPackedSketch, MergedSketch, packCounters, packSketch, type SketchBins } from './packed-sketch';

const binsArbitrary = fc
  .array(fc.tuple(fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }), fc.integer({ min: 1, max: 2 ** 40 })), { maxLength: 200 })
  .map((entries) => {
    const bins: SketchBins = new Map();
    for (const [key, count] of entries) bins.set(key, (bins.get(key) ?? 0) + count);
    return bins;
  });

const sorted = (bins: SketchBins) => [...bins.entries()].sort(([a], [b]) => a - b);

describe('packed sketches', () => {
  it('unpack to the bins they were packed from, in key order', () => {
    fc.assert(
      fc.property(binsArbitrary, (bins) => {
        const unpacked = addPackedSketch(new Map(), packSketch(bins));
        expect([...unpacked.entries()]).toEqual(sorted(bins));
      }),
    );
  });

  it('add up: unpacking two packed sketches into one map is the sum of their bins', () => {
    fc.assert(
      fc.property(binsArbitrary, binsArbitrary, (a, b) => {
        const merged = addPackedSketch(addPackedSketch(new Map(), packSketch(a)), packSketch(b));
        const expected: SketchBins = new Map(a);
        for (const [key, count] of b) expected.set(key, (expected.get(key) ?? 0) + count);
        expect(sorted(merged)).toEqual(sorted(expected));
      }),
    );
  });

  it('leave empty bins out and take a byte or two a bin where keys are dense and counts small', () => {
    // tag, total 3, zeros 0, first key 7 zigzagged (14), count 3
    expect([...packSketch(new Map([[5, 0], [7, 3]]))]).toEqual([2, 3, 0, 14, 3]);
    expect([...packSketch(new Map())]).toEqual([2, 0, 0]);
    const day = new Map(Array.from({ length: 200 }, (_, i) => [1_000 + i, 1 + (i % 100)] as [number, number]));
    expect(packSketch(day).length).toBeLessThan(2 * 200 + 8);
  });

  it('keep zeros apart, as a count in the head', () => {
    expect([...packSketch(new Map([[ZERO_BIN, 4], [-1, 1]]))]).toEqual([2, 5, 4, 1, 1]);
  });

  it('refuse what is not a whole packed sketch, saying so', () => {
    expect(() => addPackedSketch(new Map(), Buffer.alloc(0))).toThrow('0 bytes is not of format 2');
    expect(() => addPackedSketch(new Map(), Buffer.from([1, 0, 0]))).toThrow('not of format 2');
    expect(() => addPackedSketch(new Map(), Buffer.from([2, 3, 0, 14]))).toThrow('ends in the middle of a number');
    expect(() => addPackedSketch(new Map(), Buffer.from([2, 0x80]))).toThrow('ends in the middle of a number');
    expect(() => addPackedSketch(new Map(), Buffer.from([2, 9, 0, 14, 3]))).toThrow('says it holds 9 values but holds 3');
  });

  it('refuse counts that are not whole or are negative', () => {
    expect(() => packSketch(new Map([[1, 1.5]]))).toThrow('a count of 1.5');
    expect(() => packSketch(new Map([[1, -1]]))).toThrow('a count of -1');
  });
});

/** DDSketch's rule, one quantile at a time, written out plainly: the first bin whose running count passes q·(n−1). */
function referenceQuantileMs(bins: SketchBins, q: number): number | null {
  const total = [...bins.values()].reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const [key, count] of sorted(bins)) {
    seen += count;
    if (seen > q * (total - 1)) return key === ZERO_BIN ? 0 : Math.round(sketchMapping.value(key) * 1000);
  }
  return null;
}

describe('packed counters', () => {
  const counterArbitrary = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -(2 ** 52) + 1, max: 2 ** 52 - 1 }));
  const countersArbitrary = fc.array(counterArbitrary, { minLength: 13, maxLength: 13 });

  it('unpack to what they were packed from, either sign, and add up as columns', () => {
    fc.assert(
      fc.property(countersArbitrary, countersArbitrary, (a, b) => {
        const into = new Float64Array(13);
        addPackedCounters(into, packCounters(a));
        expect([...into]).toEqual(a.map((value) => value + 0));
        addPackedCounters(into, packCounters(b));
        expect([...into]).toEqual(a.map((value, i) => value + b[i]));
      }),
    );
  });

  it('read from within a larger buffer, and take a byte a small counter', () => {
    const packed = packCounters([1, 0, 2, 0, 0, 123_456, 0, 0, -1, 0, 0, 0, 3]);
    expect(packed.length).toBeLessThan(20);
    const framed = Buffer.concat([Buffer.from([9, 9, 9]), packed, Buffer.from([7, 7])]);
    const into = new Float64Array(13);
    addPackedCounters(into, framed, 3, 3 + packed.length);
    expect([...into]).toEqual([1, 0, 2, 0, 0, 123_456, 0, 0, -1, 0, 0, 0, 3]);
  });

  it('read fewer columns than known as the first ones, the rest 0; refuse more than known', () => {
    const into = new Float64Array(13);
    addPackedCounters(into, packCounters([5, 6]));
    expect([...into]).toEqual([5, 6, ...new Array(11).fill(0)]);
    expect(() => addPackedCounters(new Float64Array(2), packCounters([1, 2, 3]))).toThrow(/hold 3 columns where 2 are known/);
  });

  it('refuse what is not whole packed counters, or counters that are not whole, saying so', () => {
    expect(() => addPackedCounters(new Float64Array(13), Buffer.from([2, 1, 0]))).toThrow(/not of format 1/);
    expect(() => addPackedCounters(new Float64Array(13), Buffer.alloc(0))).toThrow(/not of format 1/);
    const packed = packCounters([300, 400]);
    expect(() => addPackedCounters(new Float64Array(13), packed.subarray(0, packed.length - 1))).toThrow(/end in the middle of a number/);
    expect(() => addPackedCounters(new Float64Array(13), Buffer.concat([packed, Buffer.from([0])]))).toThrow(/1 bytes more than their 2 columns/);
    expect(() => packCounters([1.5])).toThrow(/holds 1.5/);
    expect(() => packCounters([2 ** 52])).toThrow(/below 2\^52 either way/);
    expect(() => packCounters([-(2 ** 52)])).toThrow(/below 2\^52 either way/);
  });
});

describe('MergedSketch.quantilesMs', () => {
  it('gives, in one pass, what the rule gives for each quantile', () => {
    const durations = fc.array(fc.integer({ min: 0, max: 30 * 86_400_000 }), { minLength: 1, maxLength: 300 });
    fc.assert(
      fc.property(durations, fc.uniqueArray(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }), (values, qs) => {
        const bins: SketchBins = new Map();
        for (const value of values) bins.set(sketchBin(value), (bins.get(sketchBin(value)) ?? 0) + 1);
        const ascending = [...qs].sort((a, b) => a - b);
        expect(MergedSketch.of(bins).quantilesMs(ascending)).toEqual(ascending.map((q) => referenceQuantileMs(bins, q)));
        expect(quantileMs(bins, ascending[0])).toBe(referenceQuantileMs(bins, ascending[0]));
      }),
    );
  });
});

describe('the merged and packed quantiles of an answer', () => {
  const QS = [0, 0.25, 0.5, 0.9, 0.99, 1];
  /** Sketches of counted times (zeros included), as the batches bin them. */
  const sketchArbitrary = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 * 86_400_000 })), { maxLength: 200 }).map((values) => {
    const bins: SketchBins = new Map();
    for (const value of values) bins.set(sketchBin(value), (bins.get(sketchBin(value)) ?? 0) + 1);
    return bins;
  });

  it('read while merging a packed sketch into another, are its own quantiles, and the merge is as without them', () => {
    fc.assert(
      fc.property(sketchArbitrary, sketchArbitrary, (before, bins) => {
        const merged = MergedSketch.of(before);
        expect(merged.addPackedWithQuantiles(packSketch(bins), QS)).toEqual(QS.map((q) => referenceQuantileMs(bins, q)));
        const all: SketchBins = new Map(before);
        for (const [key, count] of bins) all.set(key, (all.get(key) ?? 0) + count);
        expect(merged.quantilesMs(QS)).toEqual(QS.map((q) => referenceQuantileMs(all, q)));
      }),
    );
  });

  it('of an empty packed sketch (a cell with counters and no counted time) are none, and merging it changes nothing', () => {
    fc.assert(
      fc.property(sketchArbitrary, (before) => {
        const merged = MergedSketch.of(before);
        const expected = merged.quantilesMs(QS);
        expect(merged.addPackedWithQuantiles(packSketch(new Map()), QS)).toEqual(QS.map(() => null));
        expect(merged.quantilesMs(QS)).toEqual(expected);
      }),
    );
    expect(new MergedSketch().addPackedWithQuantiles(packSketch(new Map()), QS)).toEqual(QS.map(() => null));
  });

  it('merged from packed sketches, loose bins and other merged sketches, are the rule applied to all their bins', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('packed', 'bins', 'merged'), sketchArbitrary), { maxLength: 8 }), (parts) => {
        const merged = new MergedSketch();
        const all: SketchBins = new Map();
        for (const [how, bins] of parts) {
          if (how === 'packed') merged.addPacked(packSketch(bins));
          else if (how === 'bins') for (const [key, count] of bins) merged.add(key, count);
          else merged.addSketch(new MergedSketch().addPacked(packSketch(bins)));
          for (const [key, count] of bins) all.set(key, (all.get(key) ?? 0) + count);
        }
        expect(merged.quantilesMs(QS)).toEqual(QS.map((q) => referenceQuantileMs(all, q)));
      }),
    );
  });
});
