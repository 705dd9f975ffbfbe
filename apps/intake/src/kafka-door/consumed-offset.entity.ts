import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The Kafka door's offset ledger (migration IntakeKafkaDoor1764900000002). */
@Entity({ name: 'consumed_offsets' })
export class ConsumedOffsetEntity {
  @PrimaryColumn({ type: 'text', primaryKeyConstraintName: 'consumed_offsets_pkey' })
  topic!: string;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'consumed_offsets_pkey' })
  partition!: number;

  @Column({ name: 'next_offset', type: 'bigint' })
  nextOffset!: string;
}
