import { sketchMapping, ZERO_BIN } from './metric-deltas';

/*
 * Packed sketches and the merging of them for an answer: plain code without I/O, loaded by
 * the fold and by the threads that answer the metrics questions (metric-answer.worker.ts).
 */

/** A DDSketch as merged bins: bin key → count. */
export type SketchBins = Map<number, number>;

/*
 * The packed format (tag 2). The largest questions read thousands of packed sketches, so
 * their size is most of a question's cost: PostgreSQL sends bytea as hex, twice its size.
 * Keys of one sketch are dense and counts small, so both are varints (7 bits a byte, least
 * significant first, up to 2^53):
 *   tag 2 | total count | zero count | per non-empty bin in key order: key step, count
 * where the first step is the zigzagged first key and every later one the distance to the
 * key before (at least 1). About 2 bytes a bin, where the first format took 12.
 */
const PACKED_FORMAT = 2;

function writeVarint(into: Buffer, position: number, value: number): number {
  while (value >= 128) {
    into[position++] = (value % 128) + 128;
    value = Math.floor(value / 128);
  }
  into[position++] = value;
  return position;
}

const zigzag = (key: number) => (key >= 0 ? key * 2 : -key * 2 - 1);
const unzigzag = (value: number) => (value % 2 === 0 ? value / 2 : -(value + 1) / 2);

/** Packs bins in key order; empty bins are left out. Counts are whole and not negative. */
export function packSketch(bins: SketchBins): Buffer {
  let zeros = 0;
  let total = 0;
  const keys: number[] = [];
  for (const [key, count] of bins) {
    if (!Number.isSafeInteger(count) || count < 0) throw new Error(`a sketch bin holds a count of ${count}: counts are whole and not negative`);
    if (count === 0) continue;
    total += count;
    if (key === ZERO_BIN) zeros += count;
    else keys.push(key);
  }
  if (!Number.isSafeInteger(total)) throw new Error(`a sketch of ${total} values is beyond what a packed sketch holds exactly`);
  keys.sort((a, b) => a - b);
  // 8 bytes hold any varint up to 2^53 (and a zigzagged int32 step).
  const packed = Buffer.allocUnsafe(1 + 16 + keys.length * 16);
  packed[0] = PACKED_FORMAT;
  let position = writeVarint(packed, 1, total);
  position = writeVarint(packed, position, zeros);
  let previous = 0;
  keys.forEach((key, i) => {
    position = writeVarint(packed, position, i === 0 ? zigzag(key) : key - previous);
    position = writeVarint(packed, position, bins.get(key) as number);
    previous = key;
  });
  return Buffer.from(packed.subarray(0, position));
}

/*
 * A cell's counters, packed beside its sketch by the same fold (metric-sketches.ts): the
 * largest questions read thousands of cells, and a row of fourteen fields per cell cost more
 * to parse than the cell's figures to compute. Counters move both ways (a retracted break
 * takes one back), so each is a zigzagged varint:
 *   tag 1 | number of counters n | n counters in the order of COUNTER_COLUMNS
 * A reader of more columns than were packed reads the missing ones as 0.
 */
const PACKED_COUNTERS_FORMAT = 1;

/** Packs a cell's counters (whole numbers of either sign below 2^52, so that zigzagged they stay exact), in column order. */
export function packCounters(counters: ArrayLike<number>): Buffer {
  const packed = Buffer.allocUnsafe(2 + counters.length * 8);
  packed[0] = PACKED_COUNTERS_FORMAT;
  let position = writeVarint(packed, 1, counters.length);
  for (let i = 0; i < counters.length; i++) {
    const value = counters[i];
    if (!Number.isSafeInteger(value) || Math.abs(value) >= 2 ** 52) throw new Error(`a counter holds ${value}: packed counters are whole and below 2^52 either way`);
    position = writeVarint(packed, position, zigzag(value));
  }
  return Buffer.from(packed.subarray(0, position));
}

/** Reads varints (7 bits a byte, least significant first) from `buffer` up to `end`. */
abstract class VarintCursor {
  constructor(
    protected readonly buffer: Buffer,
    protected position: number,
    protected readonly end: number,
  ) {}

  /** What a buffer that ends in the middle of a number is refused with. */
  protected abstract truncated(): string;

  protected varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (this.position >= this.end) throw new Error(this.truncated());
      const byte = this.buffer[this.position++];
      value += (byte & 127) * scale;
      if (byte < 128) return value;
      scale *= 128;
    }
  }
}

class PackedCountersReader extends VarintCursor {
  constructor(
    packed: Buffer,
    private readonly start: number,
    end: number,
  ) {
    super(packed, start + 1, end);
    if (end <= start || packed[start] !== PACKED_COUNTERS_FORMAT) throw new Error(`packed counters of ${end - start} bytes are not of format ${PACKED_COUNTERS_FORMAT}`);
  }

  protected truncated(): string {
    return `packed counters of ${this.end - this.start} bytes end in the middle of a number`;
  }

  /** Adds the counters to `into`, column by column. */
  addTo(into: { [column: number]: number; length: number }): void {
    const count = this.varint();
    if (count > into.length) throw new Error(`packed counters hold ${count} columns where ${into.length} are known`);
    for (let i = 0; i < count; i++) into[i] += unzigzag(this.varint());
    if (this.position !== this.end) throw new Error(`packed counters of ${this.end - this.start} bytes hold ${this.end - this.position} bytes more than their ${count} columns`);
  }
}

/** Adds packed counters (bytes `start` … `end` of `packed`) to `into`, column by column; refuses a counter beyond `into`'s columns. */
export function addPackedCounters(into: { [column: number]: number; length: number }, packed: Buffer, start = 0, end = packed.length): void {
  new PackedCountersReader(packed, start, end).addTo(into);
}

/** Reads a packed sketch: its total and zero count at once, then its bins in key order. */
export class PackedSketchReader extends VarintCursor {
  readonly total: number;
  readonly zeros: number;
  /** The bin `next()` moved to. */
  key = 0;
  count = 0;
  private first = true;

  /** Refuses a buffer that is not a packed sketch of this format. */
  constructor(packed: Buffer) {
    super(packed, 1, packed.length);
    if (packed.length === 0 || packed[0] !== PACKED_FORMAT) throw new Error(`a packed sketch of ${packed.length} bytes is not of format ${PACKED_FORMAT}`);
    this.total = this.varint();
    this.zeros = this.varint();
  }

  protected truncated(): string {
    return `a packed sketch of ${this.end} bytes ends in the middle of a number`;
  }

  /** Moves to the next bin; false after the last. */
  next(): boolean {
    if (this.position >= this.end) return false;
    const step = this.varint();
    this.key = this.first ? unzigzag(step) : this.key + step;
    this.first = false;
    this.count = this.varint();
    return true;
  }
}

/** Adds a packed sketch's counts to `into`; refuses one whose bins do not add up to its total. */
export function addPackedSketch(into: SketchBins, packed: Buffer): SketchBins {
  const reader = new PackedSketchReader(packed);
  let counted = reader.zeros;
  if (reader.zeros > 0) into.set(ZERO_BIN, (into.get(ZERO_BIN) ?? 0) + reader.zeros);
  while (reader.next()) {
    into.set(reader.key, (into.get(reader.key) ?? 0) + reader.count);
    counted += reader.count;
  }
  if (counted !== reader.total) throw new Error(`a packed sketch says it holds ${reader.total} values but holds ${counted}`);
  return into;
}

/**
 * A sketch being merged for an answer: counts in a dense array over the keys seen (DDSketch
 * keys of one cell or group sit within a few hundred of each other), zeros apart. Merging
 * thousands of cells through Maps was most of a large question's time.
 */
export class MergedSketch {
  private counts = new Float64Array(0);
  /** The key of `counts[0]`. */
  private offset = 0;
  private zeros = 0;
  private total = 0;

  /** Bins as the batches key them (DDSketch keys of durations, a dense range; not any int32). */
  static of(bins: SketchBins): MergedSketch {
    const sketch = new MergedSketch();
    for (const [key, count] of bins) sketch.add(key, count);
    return sketch;
  }

  add(key: number, count: number): void {
    this.total += count;
    if (key === ZERO_BIN) {
      this.zeros += count;
      return;
    }
    this.addToBin(key, count);
  }

  addPacked(packed: Buffer): this {
    this.addPackedWithQuantiles(packed, []);
    return this;
  }

  /**
   * Adds a packed sketch and answers its own quantiles (ascending `qs`) in the same pass: a
   * large answer's cells each give their figures and their counts to the group's total.
   */
  addPackedWithQuantiles(packed: Buffer, qs: readonly number[]): Array<number | null> {
    const reader = new PackedSketchReader(packed);
    const { total, zeros } = reader;
    this.total += total;
    this.zeros += zeros;
    const answers: Array<number | null> = qs.map(() => null);
    // An empty sketch (a cell with counters and no counted time) has no quantiles.
    if (total === 0) return answers;
    let next = 0;
    let seen = zeros;
    while (next < qs.length && seen > qs[next] * (total - 1)) answers[next++] = 0;
    while (reader.next()) {
      const { key, count } = reader;
      this.addToBin(key, count);
      seen += count;
      if (next < qs.length && seen > qs[next] * (total - 1)) {
        const valueMs = Math.round(sketchMapping.value(key) * 1000);
        while (next < qs.length && seen > qs[next] * (total - 1)) answers[next++] = valueMs;
      }
    }
    return answers;
  }

  addSketch(other: MergedSketch): this {
    if (other.total === 0) return this;
    this.total += other.zeros;
    this.zeros += other.zeros;
    for (let i = 0; i < other.counts.length; i++) if (other.counts[i] !== 0) this.add(other.offset + i, other.counts[i]);
    return this;
  }

  /** DDSketch's quantile rule (rank q·(n−1), zeros first, the bin's representative value), for ascending `qs`. */
  quantilesMs(qs: readonly number[]): Array<number | null> {
    if (this.total === 0) return qs.map(() => null);
    const answers: Array<number | null> = [];
    let seen = this.zeros;
    let i = -1; // -1: the zeros
    for (const q of qs) {
      const rank = q * (this.total - 1);
      while (seen <= rank && i < this.counts.length - 1) seen += this.counts[++i];
      answers.push(seen <= rank ? null : i < 0 ? 0 : Math.round(sketchMapping.value(this.offset + i) * 1000));
    }
    return answers;
  }

  /** Adds to a bin's count (not the zeros, not the total), growing the dense range when needed. */
  private addToBin(key: number, count: number): void {
    if (key < this.offset || key >= this.offset + this.counts.length) this.cover(key);
    this.counts[key - this.offset] += count;
  }

  /** Grows the dense range to hold `key`, with room to spare on that side. */
  private cover(key: number): void {
    if (this.counts.length === 0) {
      this.offset = key - 32;
      this.counts = new Float64Array(64);
      return;
    }
    if (key >= this.offset && key < this.offset + this.counts.length) return;
    // Room to spare on the side it grows, as much as it holds: growing is rare.
    const spare = Math.max(32, this.counts.length);
    const low = Math.min(this.offset, key - (key < this.offset ? spare : 0));
    const high = Math.max(this.offset + this.counts.length, key + 1 + (key >= this.offset ? spare : 0));
    const grown = new Float64Array(high - low);
    grown.set(this.counts, this.offset - low);
    this.counts = grown;
    this.offset = low;
  }
}
