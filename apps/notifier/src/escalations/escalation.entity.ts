import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type EscalationState = 'open' | 'acknowledged' | 'resolved';

@Entity({ name: 'escalations' })
@Index('escalations_tenant_state_idx', ['tenantId', 'state'])
@Index('escalations_next_step_idx', ['nextStepAt'], { where: `"state" = 'open' AND "next_step_at" IS NOT NULL` })
@Index('escalations_one_open_per_cause', ['tenantId', 'ladderId', 'causeKey'], { unique: true, where: `"state" <> 'resolved'` })
export class EscalationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ name: 'ladder_id', type: 'text' })
  ladderId!: string;

  /** What the escalation is about: a clock cycle, a commitment or a customer. */
  @Column({ name: 'cause_key', type: 'text' })
  causeKey!: string;

  @Column({ type: 'text' })
  state!: EscalationState;

  /** The ladder level of the last step fired (a repeat notifies the last level again). */
  @Column({ type: 'integer', default: 0 })
  level!: number;

  /** The last step fired in the current run: levels first, then repeats; -1 before the first. */
  @Column({ type: 'integer', default: -1 })
  step!: number;

  /** How many times an ack timeout re-opened it; each run has its own job ids and step names. */
  @Column({ type: 'integer', default: 0 })
  epoch!: number;

  /** The instant of offset zero of the current run. */
  @Column({ name: 'anchor_at', type: 'timestamptz' })
  anchorAt!: Date;

  /** When the next step is due (null when the ladder has run out): what the reconcile reads. */
  @Column({ name: 'next_step_at', type: 'timestamptz', nullable: true })
  nextStepAt!: Date | null;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @Column({ name: 'acknowledged_by', type: 'text', nullable: true })
  acknowledgedBy!: string | null;

  @Column({ name: 'ack_note', type: 'text', nullable: true })
  ackNote!: string | null;

  @Column({ name: 'reopened_at', type: 'timestamptz', nullable: true })
  reopenedAt!: Date | null;

  /** The ladder as it was when the escalation opened (later config versions don't change it). */
  @Column({ type: 'jsonb' })
  ladder!: Record<string, unknown>;

  @Column({ type: 'jsonb' })
  cause!: Record<string, unknown>;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt!: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  resolution!: string | null;
}
