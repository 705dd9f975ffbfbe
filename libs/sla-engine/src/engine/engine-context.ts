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

/** Collects the effects of one engine call. */
export class EngineContext implements EngineResult {
  readonly outputs: OutputEvent[] = [];
  readonly changed: EntityState[] = [];
  readonly created: EntityState[] = [];
  private noted: EngineNote[] | undefined;

  constructor(readonly config: EngineConfig) {}

  emit(event: OutputEvent): void {
    this.outputs.push(event);
  }

  touch(state: EntityState): void {
    if (!this.changed.includes(state)) this.changed.push(state);
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
