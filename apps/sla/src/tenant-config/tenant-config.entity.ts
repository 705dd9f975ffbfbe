import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'tenant_configs' })
export class SlaTenantConfigEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'tenant_configs_pkey' })
  tenantId!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'tenant_configs_pkey' })
  version!: number;

  /** As written by the tenant: `${ENV}` placeholders are resolved only when loaded. */
  @Column({ type: 'jsonb' })
  document!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
