import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A record of interactions.v1 the Kafka door refused (migration IntakeDeadLetters1764900000002). */
@Entity({ name: 'dead_letters' })
export class DeadLetterEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'dead_letters_pkey' })
  topic!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'dead_letters_pkey' })
  partition!: number;

  @PrimaryColumn({ type: 'bigint', primaryKeyConstraintName: 'dead_letters_pkey' })
  offset!: string;

  @PrimaryColumn({ name: 'record_timestamp', type: 'bigint', primaryKeyConstraintName: 'dead_letters_pkey' })
  recordTimestamp!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'dead_lettered_at', type: 'timestamptz' })
  deadLetteredAt!: Date;
}
