import type { EngineConfig } from '../config/engine-config';
import type { EntityState } from '../state/engine-state.type';
import type { OutputEvent } from '@pw/contracts';

/** Something the engine ignored on purpose, for the service's counters. */
export interface EngineNote {
  code: 'unknown_commitment' | 'commitment_unchanged';
  conversationId: string;
  detail: string;
}

/** What one `apply` or `fireDue` produced. */
export interface EngineResult {
  /** Output events in the order they were emitted. */
  outputs: OutputEvent[];
  /** Entities created or changed (to persist); the engine changed them in place. */
  changed: EntityState[];
  /** The entities of `changed` that did not exist before the call. */
  created: EntityState[];
  notes: EngineNote[];
}

const EMPTY: EntityState[] = [];

/** Collects the effects of one engine call. */
export class EngineContext implements EngineResult {
  readonly outputs: OutputEvent[] = [];
  changed: EntityState[] = EMPTY;
  readonly created: EntityState[] = [];
  private noted: EngineNote[] | undefined;

  constructor(readonly config: EngineConfig) {}

  emit(event: OutputEvent): void {
    this.outputs.push(event);
  }

  touch(state: EntityState): void {
    const { changed } = this;
    // Literal arrays of the exact size: most calls change one or two entities, and push
    // would allocate a backing store of 17 slots for each.
    if (changed.length === 0) this.changed = [state];
    else if (changed.length === 1) {
      if (changed[0] !== state) this.changed = [changed[0], state];
    } else if (!changed.includes(state)) changed.push(state);
  }

  /** Entities are created only for an event; they are changed too, by definition. */
  create(state: EntityState): void {
    this.created.push(state);
    this.touch(state);
  }

  note(note: EngineNote): void {
    (this.noted ??= []).push(note);
  }

  get notes(): EngineNote[] {
    return this.noted ?? [];
  }
}
