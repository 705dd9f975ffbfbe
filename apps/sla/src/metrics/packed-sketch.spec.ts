import fc from 'fast-check';

import { quantileMs } from '../queries/metric-answer';
import { sketchBin, sketchMapping, ZERO_BIN } from './metric-deltas';
import { addPackedSketch, MergedSketch, packSketch, type SketchBins } from './packed-sketch';

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
