import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { IdentityService } from '@pw/identity';
import { type ConsumedBatch, OUTBOX_BASE64_HEADER, TOPICS } from '@pw/kafka';

import { storeAcceptedEvents, type TenantEvent } from '../interactions/accepted-events.store';
import { IntakeOutboxRelay } from '../outbox/intake-outbox.relay';
import { deadLetterHeaders, type RawRecord, readInteractionRecord, storableReason } from './interaction-record.reader';

export interface DoorBatchResult {
  accepted: number;
  duplicates: number;
  deadLetters: number;
  /** Bad records already dead-lettered by an earlier delivery of the batch. */
  redelivered: number;
}

/**
 * The Kafka door: one partition's batch of interactions.v1 in one transaction. Good records
 * take the HTTP door's path (deduplicated by tenant, source and id; outbox to
 * interactions.accepted.v1); bad ones become dead letters on interactions.dlq.v1, with their
 * original bytes, through the same outbox, deduplicated by the record's topic, partition,
 * offset and timestamp. So a bad record never stops a partition, and a batch delivered twice
 * produces its records and dead letters once. Offsets are committed after the transaction.
 */
@Injectable()
export class KafkaDoorService {
  private readonly logger = new Logger('KafkaDoor');

  constructor(
    private readonly dataSource: DataSource,
    private readonly identity: IdentityService,
    private readonly relay: IntakeOutboxRelay,
  ) {}

  async handleBatch(batch: Pick<ConsumedBatch, 'topic' | 'partition' | 'messages'>, now: Date): Promise<DoorBatchResult> {
    const receivedAt = now.toISOString();
    const readings = await Promise.all(
      batch.messages.map(async (message) => {
        const record: RawRecord = { key: message.key, value: message.value, headers: message.headers, offset: message.offset };
        let reading = readInteractionRecord(record, receivedAt);
        if (reading.ok && !(await this.identity.tenantExists(reading.tenantId, now.getTime()))) {
          reading = { ok: false, reason: 'header tenant-id: no tenant has this id' };
        }
        return { record, reading };
      }),
    );

    const good: TenantEvent[] = [];
    const bad: Array<{ record: RawRecord; timestamp: string; reason: string }> = [];
    readings.forEach(({ record, reading }, index) => {
      if (reading.ok) good.push({ tenantId: reading.tenantId, event: reading.event });
      else bad.push({ record, timestamp: batch.messages[index].timestamp, reason: storableReason(reading.reason) });
    });

    const result = await this.dataSource.transaction(async (manager) => {
      const accepted = (await storeAcceptedEvents(manager, good)).filter(Boolean).length;
      let deadLetters = 0;
      if (bad.length > 0) {
        // Only the records not dead-lettered before: a batch delivered again writes none twice.
        const fresh: Array<{ n: string }> = await manager.query(
          `WITH input AS (
             SELECT * FROM unnest($2::bigint[], $3::bigint[], $4::text[]) WITH ORDINALITY AS t(record_offset, record_timestamp, reason, n)),
           inserted AS (
             INSERT INTO intake.dead_letters (topic, partition, "offset", record_timestamp, reason, dead_lettered_at)
             SELECT $1, $5, record_offset, record_timestamp, reason, $6 FROM input
             ON CONFLICT DO NOTHING RETURNING "offset", record_timestamp)
           SELECT i.n FROM input i JOIN inserted ON inserted."offset" = i.record_offset AND inserted.record_timestamp = i.record_timestamp`,
          [batch.topic, bad.map((b) => b.record.offset), bad.map((b) => b.timestamp), bad.map((b) => b.reason), batch.partition, receivedAt],
        );
        const freshIndexes = new Set(fresh.map((row) => Number(row.n) - 1));
        const letters = bad.filter((_letter, index) => freshIndexes.has(index));
        deadLetters = letters.length;
        if (letters.length > 0) {
          await manager.query(
            `INSERT INTO intake.outbox (topic, key, value, headers)
             SELECT $1, k, v, h FROM unnest($2::text[], $3::text[], $4::jsonb[]) WITH ORDINALITY AS t(k, v, h, n) ORDER BY n`,
            [
              TOPICS.interactionsDlq,
              letters.map(({ record }) => (record.key === null ? null : record.key.toString('base64'))),
              letters.map(({ record }) => (record.value ?? Buffer.alloc(0)).toString('base64')),
              letters.map(({ record, reason }) => JSON.stringify({ ...deadLetterHeaders(record, batch, reason, receivedAt), [OUTBOX_BASE64_HEADER]: 'base64' })),
            ],
          );
        }
      }
      return { accepted, duplicates: good.length - accepted, deadLetters, redelivered: bad.length - deadLetters };
    });
    if (result.accepted > 0 || result.deadLetters > 0) this.relay.kick();
    if (result.deadLetters > 0) {
      this.logger.warn(`${batch.topic}[${batch.partition}]: ${result.deadLetters} record(s) sent to ${TOPICS.interactionsDlq}`);
    }
    return result;
  }
}
