import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Every output event the service recorded: a conversation's timeline, and the publish ledger. */
@Entity({ name: 'output_events' })
@Index('output_events_conversation_idx', ['tenantId', 'conversationId', 'seq'])
@Index('output_events_customer_idx', ['tenantId', 'customerId', 'seq'])
export class OutputEventEntity {
  @Column({ type: 'bigint', generated: 'increment' })
  seq!: string;

  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'output_events_pkey' })
  tenantId!: string;

  @PrimaryColumn({ name: 'event_id', type: 'uuid', primaryKeyConstraintName: 'output_events_pkey' })
  eventId!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'conversation_id', type: 'text', nullable: true })
  conversationId!: string | null;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'jsonb' })
  body!: Record<string, unknown>;
}

/** One row per finished clock cycle: the raw facts behind outliers. */
@Entity({ name: 'finished_clocks' })
// An expression index ((counted_ms - target_ms) DESC) that TypeORM cannot describe: the migration owns it.
@Index('finished_clocks_overrun_idx', { synchronize: false })
export class FinishedClockEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'finished_clocks_pkey' })
  tenantId!: string;

  @PrimaryColumn({ name: 'conversation_id', type: 'text', primaryKeyConstraintName: 'finished_clocks_pkey' })
  conversationId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'finished_clocks_pkey' })
  metric!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'finished_clocks_pkey' })
  cycle!: number;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'text' })
  policy!: string;

  @Column({ type: 'text', nullable: true })
  team!: string | null;

  @Column({ type: 'text', nullable: true })
  agent!: string | null;

  @Column({ type: 'text', nullable: true })
  channel!: string | null;

  @Column({ type: 'text' })
  priority!: string;

  @Column({ type: 'text' })
  verdict!: string;

  @Column({ name: 'on_time', type: 'boolean', nullable: true })
  onTime!: boolean | null;

  @Column({ type: 'boolean' })
  breached!: boolean;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz' })
  finishedAt!: Date;

  @Column({ name: 'counted_ms', type: 'bigint' })
  countedMs!: string;

  @Column({ name: 'target_ms', type: 'bigint' })
  targetMs!: string;
}

/*
 * `metric_counters` and `metric_sketch_bins`, the deltas batches append (one row per batch and
 * cell, and per bin), have no entity here: they have no key (migration 1765600000009), which a
 * TypeORM entity must have, and only raw statements touch them (sla-effects.ts writes them,
 * metric-sketches.ts folds them, metric-answer.ts reads what is not folded yet).
 */

/** A cell's sketch of counted time and its counters, packed (metric-sketches.ts), folded from `metric_sketch_bins` and `metric_counters`. */
@Entity({ name: 'metric_sketches' })
export class MetricSketchEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'metric_sketches_pkey' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'metric_sketches_pkey' })
  grain!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'metric_sketches_pkey' })
  dimension!: string;

  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'metric_sketches_pkey' })
  bucket!: Date;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'metric_sketches_pkey' })
  value!: string;

  @Column({ type: 'bytea' })
  bins!: Buffer;

  /** NULL: no counters folded into this cell yet. */
  @Column({ type: 'bytea', nullable: true })
  counters!: Buffer | null;
}
