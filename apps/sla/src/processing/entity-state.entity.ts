import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'entities' })
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

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity({ name: 'applied_events' })
export class AppliedEventEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'applied_events_pkey' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'applied_events_pkey' })
  source!: string;

  @PrimaryColumn({ name: 'event_id', type: 'text', primaryKeyConstraintName: 'applied_events_pkey' })
  eventId!: string;
}
