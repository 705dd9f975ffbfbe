import type { EngineConfig } from '../config/engine-config';
import type { EntityState } from '../state/engine-state.type';
import type { CommitmentParty, OutputEvent, SlaMetric } from '@pw/contracts';

/** Something the engine ignored on purpose, for the service's counters. */
export interface EngineNote {
  code: 'unknown_commitment' | 'commitment_unchanged';
  conversationId: string;
  detail: string;
}

/**
 * A clock that finished (met or cancelled), with what its output events do not say: the
 * policy, the target and whether it ended breached. The service's metrics are built from these.
 */
export interface ClockOutcome {
  kind: 'clock';
  conversationId: string;
  customerId: string;
  metric: SlaMetric;
  cycle: number;
  policy: string;
  startedAt: number;
  /** When it finished (event time). */
  at: number;
  verdict: 'met' | 'cancelled';
  /** For a met clock: at or before its due instant; `null` for a cancelled one. */
  onTime: boolean | null;
  /** Finished with a breach that holds: met late, or cancelled after its breach. */
  breached: boolean;
  countedMs: number;
  targetMs: number;
  dueAt: number | null;
}

/**
 * A verdict on a commitment at its due instant: kept on time, kept late (after it broke),
 * broken, or a break retracted by a late-arriving keep.
 */
export interface CommitmentOutcome {
  kind: 'commitment';
  conversationId: string;
  customerId: string;
  promiseId: string;
  by: CommitmentParty;
  dueAt: number;
  at: number;
  verdict: 'kept_on_time' | 'kept_late' | 'broken' | 'break_retracted';
}

export type EngineOutcome = ClockOutcome | CommitmentOutcome;

/** What one `apply` or `fireDue` produced. */
export interface EngineResult {
  /** Output events in the order they were emitted. */
  outputs: OutputEvent[];
  /** Entities created or changed (to persist); the engine changed them in place. */
  changed: EntityState[];
  /** The entities of `changed` that did not exist before the call. */
  created: EntityState[];
  notes: EngineNote[];
  /** Clocks finished and commitment verdicts, in emission order. */
  outcomes: EngineOutcome[];
}

const EMPTY: EntityState[] = [];

/** Collects the effects of one engine call. */
export class EngineContext implements EngineResult {
  readonly outputs: OutputEvent[] = [];
  changed: EntityState[] = EMPTY;
  readonly created: EntityState[] = [];
  private noted: EngineNote[] | undefined;
  private recorded: EngineOutcome[] | undefined;

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

  outcome(outcome: EngineOutcome): void {
    (this.recorded ??= []).push(outcome);
  }

  get outcomes(): EngineOutcome[] {
    return this.recorded ?? [];
  }
}
