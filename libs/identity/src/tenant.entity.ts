import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'tenants', schema: 'identity' })
export class TenantEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Index('tenants_name_key', { unique: true })
  @Column({ type: 'text' })
  name!: string;

  /** Accepted events per second (sustained), for the intake's rate limit. */
  @Column({ name: 'rate_limit_per_second', type: 'integer', default: 2000 })
  rateLimitPerSecond!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
