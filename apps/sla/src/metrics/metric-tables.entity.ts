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

const counter = (name: string) => Column({ name, type: 'bigint', default: 0 });

/** Counters per tenant, grain (hour, UTC day), bucket, dimension and value. */
@Entity({ name: 'metric_counters' })
export class MetricCounterEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'metric_counters_pkey' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'metric_counters_pkey' })
  grain!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'metric_counters_pkey' })
  dimension!: string;

  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'metric_counters_pkey' })
  bucket!: Date;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'metric_counters_pkey' })
  value!: string;

  @counter('clocks_finished') clocksFinished!: string;
  @counter('clocks_met') clocksMet!: string;
  @counter('clocks_met_on_time') clocksMetOnTime!: string;
  @counter('clocks_breached') clocksBreached!: string;
  @counter('clocks_cancelled') clocksCancelled!: string;
  @counter('counted_ms_sum') countedMsSum!: string;
  @counter('provider_kept_on_time') providerKeptOnTime!: string;
  @counter('provider_kept_late') providerKeptLate!: string;
  @counter('provider_broken') providerBroken!: string;
  @counter('customer_kept_on_time') customerKeptOnTime!: string;
  @counter('customer_kept_late') customerKeptLate!: string;
  @counter('customer_broken') customerBroken!: string;
  @counter('detractors') detractors!: string;
}

/** DDSketch bins of counted time (met clocks): mergeable across buckets and groups by summing. */
@Entity({ name: 'metric_sketch_bins' })
export class MetricSketchBinEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'metric_sketch_bins_pkey' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'metric_sketch_bins_pkey' })
  grain!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'metric_sketch_bins_pkey' })
  dimension!: string;

  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'metric_sketch_bins_pkey' })
  bucket!: Date;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'metric_sketch_bins_pkey' })
  value!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'metric_sketch_bins_pkey' })
  bin!: number;

  @Column({ type: 'bigint' })
  count!: string;
}

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
