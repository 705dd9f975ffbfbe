import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The latest public reply to each customer, as seen on interactions.accepted.v1. */
@Entity({ name: 'customer_contacts' })
export class CustomerContactEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @PrimaryColumn({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ name: 'last_public_reply_at', type: 'timestamptz' })
  lastPublicReplyAt!: Date;
}
