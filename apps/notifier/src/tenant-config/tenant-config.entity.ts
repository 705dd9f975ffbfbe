import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'tenant_configs' })
export class NotifierTenantConfigEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @Column({ type: 'integer' })
  version!: number;

  /** The document as the tenant wrote it: `${ENV}` placeholders stay unresolved at rest. */
  @Column({ type: 'jsonb' })
  document!: Record<string, unknown>;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
