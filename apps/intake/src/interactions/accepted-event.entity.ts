import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The deduplication record of one accepted event (tenant, source, id). */
@Entity({ name: 'accepted_events' })
export class AcceptedEventEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'accepted_events_pkey' })
  tenantId!: string;

  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'accepted_events_pkey' })
  source!: string;

  @PrimaryColumn({ name: 'event_id', type: 'text', primaryKeyConstraintName: 'accepted_events_pkey' })
  eventId!: string;

  @Column({ name: 'conversation_id', type: 'text' })
  conversationId!: string;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
