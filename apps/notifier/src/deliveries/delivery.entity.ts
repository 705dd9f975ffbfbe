import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { EscalationEntity } from '../escalations/escalation.entity';

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

@Entity({ name: 'deliveries' })
@Index('deliveries_step_contact_key', ['escalationId', 'step', 'contactId', 'channel', 'target'], { unique: true })
@Index('deliveries_tenant_status_idx', ['tenantId', 'status'])
@Index('deliveries_escalation_idx', ['escalationId'])
@Index('deliveries_pending_idx', ['createdAt'], { where: `"status" = 'pending'` })
export class DeliveryEntity {
  /** Also the `webhook-id` header: stable across retries so a receiver can drop repeats. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'escalation_id', type: 'uuid' })
  escalationId!: string;

  @ManyToOne(() => EscalationEntity)
  @JoinColumn({ name: 'escalation_id', foreignKeyConstraintName: 'deliveries_escalation_id_fkey' })
  escalation?: EscalationEntity;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  /** The ladder step: `L0`, `L1`, … and `R1`, `R2`, … for repeats. */
  @Column({ type: 'text' })
  step!: string;

  @Column({ name: 'contact_id', type: 'text' })
  contactId!: string;

  @Column({ type: 'text' })
  channel!: 'webhook' | 'slack' | 'email';

  @Column({ type: 'text' })
  target!: string;

  @Column({ type: 'text' })
  payload!: string;

  @Column({ type: 'text' })
  status!: DeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** Start of the retry window (24 h by default); a redelivery starts a new one. */
  @Column({ name: 'first_attempt_at', type: 'timestamptz', nullable: true })
  firstAttemptAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  redeliveries!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;
}
