import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

import type { InteractionEvent } from '@pw/contracts';
import { IdentityService } from '@pw/identity';
import { type ConsumedBatch, OUTBOX_BASE64_HEADER, TOPICS } from '@pw/kafka';

import { storeAcceptedEvents } from '../interactions/accepted-events.store';
import { IntakeOutboxRelay } from '../outbox/intake-outbox.relay';
import { deadLetterHeaders, type RawRecord, readInteractionRecord } from './interaction-record.reader';

export interface DoorBatchResult {
  accepted: number;
  duplicates: number;
  deadLetters: number;
  /** Records skipped because the ledger shows them already handled. */
  replayed: number;
}

/**
 * The Kafka door: one partition's batch of interactions.v1 in one transaction. Good records
 * take the HTTP door's path (deduplicated, outbox to interactions.accepted.v1); bad ones
 * become dead letters on interactions.dlq.v1, with their original bytes, through the same
 * outbox; the offset ledger moves past the batch. So a bad record never stops a partition,
 * and a batch delivered twice produces its records and dead letters once.
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

    const result = await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO intake.consumed_offsets (topic, partition, next_offset) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`,
        [batch.topic, batch.partition],
      );
      // FOR UPDATE: two instances briefly holding the same partition (a rebalance) take turns.
      const [{ next_offset: nextOffset }] = await manager.query(
        `SELECT next_offset FROM intake.consumed_offsets WHERE topic = $1 AND partition = $2 FOR UPDATE`,
        [batch.topic, batch.partition],
      );
      const fresh = readings.filter(({ record }) => BigInt(record.offset) >= BigInt(nextOffset));
      if (fresh.length === 0) return { accepted: 0, duplicates: 0, deadLetters: 0, replayed: readings.length };

      // Per tenant, in record order: a conversation belongs to one tenant, so its order holds.
      const byTenant = new Map<string, InteractionEvent[]>();
      const deadLetters: Array<{ key: string | null; value: string; headers: Record<string, string> }> = [];
      for (const { record, reading } of fresh) {
        if (reading.ok) {
          const list = byTenant.get(reading.tenantId) ?? [];
          list.push(reading.event);
          byTenant.set(reading.tenantId, list);
        } else {
          deadLetters.push({
            key: record.key === null ? null : record.key.toString('base64'),
            value: (record.value ?? Buffer.alloc(0)).toString('base64'),
            headers: { ...deadLetterHeaders(record, batch, reading.reason, receivedAt), [OUTBOX_BASE64_HEADER]: 'base64' },
          });
        }
      }
      let accepted = 0;
      for (const [tenantId, events] of byTenant) accepted += (await storeAcceptedEvents(manager, tenantId, events)).length;
      if (deadLetters.length > 0) {
        await manager.query(
          `INSERT INTO intake.outbox (topic, key, value, headers)
           SELECT $1, k, v, h FROM unnest($2::text[], $3::text[], $4::jsonb[]) WITH ORDINALITY AS t(k, v, h, n) ORDER BY n`,
          [TOPICS.interactionsDlq, deadLetters.map((d) => d.key), deadLetters.map((d) => d.value), deadLetters.map((d) => JSON.stringify(d.headers))],
        );
      }
      const last = fresh[fresh.length - 1].record.offset;
      await manager.query(`UPDATE intake.consumed_offsets SET next_offset = $3 WHERE topic = $1 AND partition = $2`, [
        batch.topic,
        batch.partition,
        (BigInt(last) + 1n).toString(),
      ]);
      const goodCount = fresh.length - deadLetters.length;
      return { accepted, duplicates: goodCount - accepted, deadLetters: deadLetters.length, replayed: readings.length - fresh.length };
    });
    if (result.accepted > 0 || result.deadLetters > 0) this.relay.kick();
    if (result.deadLetters > 0) {
      this.logger.warn(`${batch.topic}[${batch.partition}]: ${result.deadLetters} record(s) sent to ${TOPICS.interactionsDlq}`);
    }
    return result;
  }
}
