import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'entities' })
@Index('entities_open_due_at_idx', ['tenantId', 'openDueAt'], { where: '"open_due_at" IS NOT NULL' })
@Index('entities_customer_idx', ['tenantId', 'customerId'], { where: `"kind" = 'conversation'` })
export class EntityStateEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'entities_pkey' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'entities_pkey' })
  kind!: string;

  @PrimaryColumn({ name: 'entity_id', type: 'text', primaryKeyConstraintName: 'entities_pkey' })
  entityId!: string;

  @Column({ type: 'jsonb' })
  state!: Record<string, unknown>;

  @Index('entities_next_due_at_idx', { where: '"next_due_at" IS NOT NULL' })
  @Column({ name: 'next_due_at', type: 'timestamptz', nullable: true })
  nextDueAt!: Date | null;

  /** The customer of a conversation (a customer entity's own id otherwise): customer questions. */
  @Column({ name: 'customer_id', type: 'text', nullable: true })
  customerId!: string | null;

  @Column({ type: 'text', nullable: true })
  team!: string | null;

  /** Earliest due instant of a running clock or open commitment (breached ones included): at-risk. */
  @Column({ name: 'open_due_at', type: 'timestamptz', nullable: true })
  openDueAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity({ name: 'applied_events' })
// An expression index (tenant_id, event->>'conversationId', seq) for the timeline: the migration owns it.
@Index('applied_events_conversation_idx', { synchronize: false })
@Index('applied_events_replay_idx', ['tenantId', 'seq'])
export class AppliedEventEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'applied_events_pkey' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'applied_events_pkey' })
  source!: string;

  @PrimaryColumn({ name: 'event_id', type: 'text', primaryKeyConstraintName: 'applied_events_pkey' })
  eventId!: string;

  /** Order of application: replay reads a tenant's history in this order. */
  @Column({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS' })
  seq!: string;

  @Column({ name: 'received_at', type: 'timestamptz', nullable: true })
  receivedAt!: Date | null;

  /** The configuration version it was applied under (0: none was valid; null: not recorded). */
  @Column({ name: 'config_version', type: 'integer', nullable: true })
  configVersion!: number | null;

  /** The accepted event as applied: the retained history that replay rebuilds from. */
  @Column({ type: 'jsonb', nullable: true })
  event!: Record<string, unknown> | null;
}
