/**
 * A chunk: the open intervals of a calendar inside a fixed window of instants, as sorted
 * disjoint arrays with running totals, so that "how much is open before t" and "where does the
 * count reach n" are binary searches.
 */
export interface OpenChunk {
  /** Window `[start, end)` of the chunk, epoch ms. */
  readonly start: number;
  readonly end: number;
  /** Interval `i` is `[starts[i], ends[i])`, clipped to the window; ascending, disjoint, never touching. */
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  /** Open ms from the window's start to `ends[i]`. */
  readonly cumulative: Float64Array;
  /** Open ms in the whole window. */
  readonly total: number;
}

export function makeChunk(start: number, end: number, starts: readonly number[], ends: readonly number[]): OpenChunk {
  const cumulative = new Float64Array(starts.length);
  let total = 0;
  for (let i = 0; i < starts.length; i++) {
    total += ends[i] - starts[i];
    cumulative[i] = total;
  }
  return { start, end, starts: Float64Array.from(starts), ends: Float64Array.from(ends), cumulative, total };
}

/** Largest `i` with `values[i] <= x`, or -1. */
export function lastAtOrBefore(values: Float64Array, x: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if (values[mid] <= x) low = mid + 1;
    else high = mid - 1;
  }
  return high;
}

/** Open ms of the chunk in `[chunk.start, t)`, for `t` inside the window or at its end. */
export function countedBefore(chunk: OpenChunk, t: number): number {
  const i = lastAtOrBefore(chunk.starts, t);
  if (i < 0) return 0;
  const end = chunk.ends[i];
  return t >= end ? chunk.cumulative[i] : chunk.cumulative[i] - (end - t);
}

/** The earliest instant at which the chunk's count reaches `amount` (0 < amount <= total). */
export function locateCount(chunk: OpenChunk, amount: number): number {
  const { cumulative } = chunk;
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (cumulative[mid] >= amount) high = mid;
    else low = mid + 1;
  }
  return chunk.ends[low] - (cumulative[low] - amount);
}

/** Whether `t` (inside the window) is in an open interval. */
export function isOpenInChunk(chunk: OpenChunk, t: number): boolean {
  const i = lastAtOrBefore(chunk.starts, t);
  return i >= 0 && t < chunk.ends[i];
}
