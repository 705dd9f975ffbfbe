import { IANAZone } from 'luxon';

import { DAY_MS } from './local-date.util';

/**
 * UTC offsets of one IANA zone, and the conversion of local wall-clock times to instants with
 * config.md's rules. luxon's `IANAZone.offset` costs microseconds (an Intl call), so the
 * transitions are found once per 28-day block and per zone, shared by every calendar in that
 * zone; after that a conversion is arithmetic over a handful of numbers.
 */

const BLOCK_MS = 28 * DAY_MS;
/** Transitions are searched to the second: tzdb has none finer. */
const SECOND_MS = 1000;
/** Larger than any UTC offset that ever existed (LMT included), so a window this wide around a local time holds its instants. */
const OFFSET_BOUND_MS = 18 * 60 * 60 * 1000;
/** A cache that held more blocks than this (a walk over centuries) starts again, to bound memory. */
const MAX_CACHED_BLOCKS = 20_000;

interface OffsetBlock {
  /** Offset (ms) in effect at the block's start. */
  readonly initial: number;
  /** Instants of the transitions inside the block, ascending: the new offset applies from that instant on. */
  readonly at: readonly number[];
  /** Offset (ms) from `at[i]` on. */
  readonly after: readonly number[];
}

const NO_TRANSITIONS: readonly number[] = [];

export class ZoneOffsets {
  private readonly blocks = new Map<number, OffsetBlock>();
  private readonly zone: IANAZone;

  constructor(readonly name: string) {
    this.zone = IANAZone.create(name);
  }

  /** UTC offset in ms at instant `t` (local wall clock = t + offset). */
  offsetAt(t: number): number {
    const block = this.block(Math.floor(t / BLOCK_MS));
    let offset = block.initial;
    const { at, after } = block;
    for (let i = 0; i < at.length && at[i] <= t; i++) offset = after[i];
    return offset;
  }

  /**
   * The instant of a local wall-clock time given as ms "as if UTC" (`Date.UTC` of the fields).
   * A time that occurs twice (fall back) gives the earlier instant; a time that does not occur
   * (spring forward) gives the first instant after the gap, i.e. the transition itself. This
   * mapping never decreases as the local time grows, so intervals stay ordered.
   */
  localToInstant(local: number): number {
    const low = local - OFFSET_BOUND_MS;
    const high = local + OFFSET_BOUND_MS;
    let regimeStart = low;
    let offset = this.offsetAt(low);
    const lastBlock = Math.floor(high / BLOCK_MS);
    for (let index = Math.floor(low / BLOCK_MS); index <= lastBlock; index++) {
      const { at, after } = this.block(index);
      for (let i = 0; i < at.length; i++) {
        const transition = at[i];
        if (transition <= low) continue;
        if (transition > high) break;
        const candidate = local - offset;
        // Regimes are visited in time order, so the first that holds the local time is the earlier instant.
        if (candidate >= regimeStart && candidate < transition) return candidate;
        // Past this regime's local end but before the next one's local start: inside a gap.
        if (candidate >= transition && local - after[i] < transition) return transition;
        regimeStart = transition;
        offset = after[i];
      }
    }
    return local - offset;
  }

  private block(index: number): OffsetBlock {
    let block = this.blocks.get(index);
    if (block === undefined) {
      if (this.blocks.size >= MAX_CACHED_BLOCKS) this.blocks.clear();
      block = this.computeBlock(index);
      this.blocks.set(index, block);
    }
    return block;
  }

  /**
   * Samples the offset once a day and finds each change by bisection to the second. Two
   * transitions less than a day apart that cancel out would be missed; tzdb has none since
   * the zones left local mean time.
   */
  private computeBlock(index: number): OffsetBlock {
    const start = index * BLOCK_MS;
    const end = start + BLOCK_MS;
    const initial = this.rawOffset(start);
    let at: number[] | undefined;
    let after: number[] | undefined;
    let previous = initial;
    for (let sample = start + DAY_MS; sample <= end; sample += DAY_MS) {
      const current = this.rawOffset(sample);
      if (current === previous) continue;
      let before = sample - DAY_MS;
      let since = sample;
      while (since - before > SECOND_MS) {
        const mid = before + Math.floor((since - before) / (2 * SECOND_MS)) * SECOND_MS;
        if (this.rawOffset(mid) === previous) before = mid;
        else since = mid;
      }
      // A change exactly at the block's end is the next block's initial offset.
      if (since < end) {
        (at ??= []).push(since);
        (after ??= []).push(this.rawOffset(since));
      }
      previous = current;
    }
    return { initial, at: at ?? NO_TRANSITIONS, after: after ?? NO_TRANSITIONS };
  }

  private rawOffset(t: number): number {
    // luxon answers in minutes, fractional for local mean time (London -00:01:15).
    return Math.round(this.zone.offset(t) * 60_000);
  }
}

const zones = new Map<string, ZoneOffsets>();

/** Shared per zone name: tenants in the same zone reuse the transitions already found. */
export function zoneOffsets(name: string): ZoneOffsets {
  let zone = zones.get(name);
  if (zone === undefined) {
    zone = new ZoneOffsets(name);
    zones.set(name, zone);
  }
  return zone;
}

/** Whether luxon knows the zone; luxon caches the zone per name, so this is cheap after the first time. */
export function isKnownZone(name: string): boolean {
  if (typeof name !== 'string' || name === '') return false;
  return zones.has(name) || IANAZone.create(name).isValid;
}
