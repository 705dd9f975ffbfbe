import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A record to publish, written in the same transaction as the state it reports (see
 * OutboxRelay). Each service has its own `outbox` table in its own schema: the schema comes
 * from the service's DataSource.
 */
@Entity({ name: 'outbox' })
export class OutboxRecordEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq!: string;

  @Column({ type: 'text' })
  topic!: string;

  @Column({ type: 'text', nullable: true })
  key!: string | null;

  @Column({ type: 'text' })
  value!: string;

  @Column({ type: 'jsonb', nullable: true })
  headers!: Record<string, string> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
