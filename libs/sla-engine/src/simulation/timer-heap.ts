import type { EntityState } from '../state/engine-state.type';

/**
 * A binary min-heap of (due instant, entity) with lazy invalidation. An entity is pushed only
 * when its `nextDueAt` moves earlier than the instant it is queued for; when it moves later
 * (the usual case: a warning fired, a clock was met) the old entry stays and, once popped,
 * re-queues the entity at its current instant. So the heap holds about one entry per entity
 * with a timer instead of one per change. Instants live in a typed array next to the entities,
 * which keeps the sift loops in cache. Timers due at the same instant fire conversations
 * first, then by tenant and id, so the order does not depend on the heap's history.
 */
export class TimerHeap {
  private instants = new Float64Array(1024);
  private states: EntityState[] = [];
  private length = 0;
  /** The instant each entity is queued for, so that it is not queued twice for it. */
  private readonly queued = new Map<EntityState, number>();

  get size(): number {
    return this.length;
  }

  /** Makes sure the entity pops no later than its current `nextDueAt`. */
  schedule(state: EntityState): void {
    const at = state.nextDueAt;
    if (at === null) return;
    const queuedAt = this.queued.get(state);
    if (queuedAt !== undefined && queuedAt <= at) return;
    this.queued.set(state, at);
    this.push(at, state);
  }

  /** The instant of the entry `popDue` returned last. */
  poppedAt = Number.NaN;

  /**
   * The entity of the earliest live entry due at or before `limit` (strictly before when
   * `exclusive`), its instant in `poppedAt`; no object is made per pop.
   */
  popDue(limit: number, exclusive: boolean): EntityState | undefined {
    while (this.length > 0) {
      const at = this.instants[0];
      if (exclusive ? at >= limit : at > limit) return undefined;
      const state = this.states[0];
      this.removeTop();
      if (this.queued.get(state) !== at) continue; // superseded by an earlier entry
      this.queued.delete(state);
      const dueAt = state.nextDueAt;
      if (dueAt === null) continue; // nothing due any more
      if (dueAt > at) {
        // Its due instant moved later since it was queued: queue it there instead.
        this.queued.set(state, dueAt);
        this.push(dueAt, state);
        continue;
      }
      this.poppedAt = dueAt;
      return state;
    }
    return undefined;
  }

  private before(atA: number, a: EntityState, atB: number, b: EntityState): boolean {
    if (atA !== atB) return atA < atB;
    if (a.entity !== b.entity) return a.entity === 'conversation';
    if (a.tenant !== b.tenant) return a.tenant < b.tenant;
    return a.id < b.id;
  }

  private push(at: number, state: EntityState): void {
    if (this.length === this.instants.length) {
      const grown = new Float64Array(this.instants.length * 2);
      grown.set(this.instants);
      this.instants = grown;
    }
    const { instants, states } = this;
    let index = this.length++;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(at, state, instants[parent], states[parent])) break;
      instants[index] = instants[parent];
      states[index] = states[parent];
      index = parent;
    }
    instants[index] = at;
    states[index] = state;
  }

  private removeTop(): void {
    const { instants, states } = this;
    const last = --this.length;
    const at = instants[last];
    const state = states[last];
    states.length = last;
    if (last === 0) return;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= last) break;
      const right = left + 1;
      const child = right < last && this.before(instants[right], states[right], instants[left], states[left]) ? right : left;
      if (!this.before(instants[child], states[child], at, state)) break;
      instants[index] = instants[child];
      states[index] = states[child];
      index = child;
    }
    instants[index] = at;
    states[index] = state;
  }
}
