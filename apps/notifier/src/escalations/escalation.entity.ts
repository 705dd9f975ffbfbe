import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type EscalationState = 'open' | 'acknowledged' | 'resolved';

@Entity({ name: 'escalations' })
@Index('escalations_tenant_state_idx', ['tenantId', 'state'])
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

  @Column({ type: 'integer', default: 0 })
  level!: number;

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
