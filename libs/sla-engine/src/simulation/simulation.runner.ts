import { parseInstant } from '@pw/contracts';

import { TimerHeap } from './timer-heap';
import { InMemoryStateStore } from '../store/in-memory-state.store';

import type { EngineResult } from '../engine/engine-context';
import type { SlaEngine } from '../engine/sla-engine';
import type { StateSnapshot } from '../store/in-memory-state.store';
import type { InteractionEvent, OutputEvent } from '@pw/contracts';

/** Arrival instant of an event on the simulator's timeline: `receivedAt`, else `occurredAt`. */
export function arrivalInstant(event: InteractionEvent): number {
  return parseInstant(event.receivedAt ?? event.occurredAt);
}

export interface SimulationSnapshot {
  store: StateSnapshot;
  /** The timeline position: timers before it have fired. */
  now: number;
}

/**
 * Runs the engine on one timeline, as the live service does: each event is applied at its
 * arrival instant after the timers due strictly before it fired (so an event at a timer's
 * instant wins, semantics.md), and `advanceTo` fires what is due up to an instant.
 */
export class SimulationRunner {
  private readonly timers = new TimerHeap();
  private position = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly engine: SlaEngine,
    private readonly onOutput: (event: OutputEvent) => void,
    readonly store: InMemoryStateStore = new InMemoryStateStore(),
  ) {
    for (const state of store.allStates()) this.timers.schedule(state);
  }

  /** Where the timeline stands. */
  get now(): number {
    return this.position;
  }

  /** Applies one event arriving at `arrivedAt` (default: its arrival instant); false for a duplicate. */
  ingest(event: InteractionEvent, arrivedAt = arrivalInstant(event)): boolean {
    this.fireUntil(arrivedAt, true);
    if (arrivedAt > this.position) this.position = arrivedAt;
    if (!this.store.claimEvent(this.engine.tenant, event.source, event.id)) return false;
    this.absorb(this.engine.apply(this.store, event));
    return true;
  }

  /** Fires every timer due at or before `instant`. */
  advanceTo(instant: number): void {
    this.fireUntil(instant, false);
    if (instant > this.position) this.position = instant;
  }

  snapshot(): SimulationSnapshot {
    return { store: this.store.snapshot(), now: this.position };
  }

  static restore(engine: SlaEngine, snapshot: SimulationSnapshot, onOutput: (event: OutputEvent) => void): SimulationRunner {
    const runner = new SimulationRunner(engine, onOutput, InMemoryStateStore.restore(snapshot.store));
    runner.position = snapshot.now;
    return runner;
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  private fireUntil(limit: number, exclusive: boolean): void {
    for (;;) {
      const state = this.timers.popDue(limit, exclusive);
      if (!state) return;
      this.absorb(this.engine.fireDue(this.store, state, this.timers.poppedAt));
    }
  }

  private absorb(result: EngineResult): void {
    if (result.created.length > 0) this.store.save(result.created);
    for (const state of result.changed) this.timers.schedule(state);
    for (const output of result.outputs) this.onOutput(output);
  }
}
