import { randomUUID } from 'node:crypto';

import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

import { APP_CONFIG } from '@pw/platform';

import type { NotifierConfig } from '../config/notifier.config';
import { checkWebhookTarget } from '../deliveries/webhook-target.policy';
import { sendWebhook } from '../deliveries/webhook.sender';
import { NotifierQueue } from '../queues/queue-names.constant';
import { QueuesService } from '../queues/queues.service';
import { TenantConfigService } from '../tenant-config/tenant-config.service';
import { causeKey, CLOSING_EVENTS, ladderMatches, levelDueAt, ladderToStore, type SlaEventEnvelope, type StoredLadder } from './ladder.util';

interface StepJob {
  escalationId: string;
  level: number;
  delayMs: number;
}

export const DELIVERY_ATTEMPTS = 20;

/**
 * Escalations. PostgreSQL is the record (escalations, deliveries); BullMQ only times the
 * steps and spreads the deliveries. Every job has a deterministic id and every effect is
 * guarded by a row state, so a job that runs twice, or is re-created after Redis lost its
 * data, does nothing twice.
 */
@Injectable()
export class EscalationsService {
  private readonly logger = new Logger('Escalations');

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueuesService,
    private readonly tenantConfigs: TenantConfigService,
    @Inject(APP_CONFIG) private readonly config: NotifierConfig,
  ) {}

  /** Handles a batch of sla.events.v1 records; duplicates (by eventId) are skipped. */
  async handleEvents(envelopes: SlaEventEnvelope[], now: Date): Promise<void> {
    if (envelopes.length === 0) return;
    const steps = await this.dataSource.transaction(async (manager) => {
      const fresh: Array<{ event_id: string }> = await manager.query(
        `INSERT INTO notifier.processed_events (event_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING event_id`,
        [envelopes.map((e) => e.eventId)],
      );
      const freshIds = new Set(fresh.map((row) => row.event_id));
      const jobs: StepJob[] = [];
      for (const envelope of envelopes) {
        if (!freshIds.has(envelope.eventId)) continue;
        freshIds.delete(envelope.eventId); // the same id twice in one batch counts once
        jobs.push(...(await this.applyEvent(manager, envelope, now)));
      }
      return jobs;
    });
    await this.scheduleSteps(steps);
  }

  private async applyEvent(manager: EntityManager, envelope: SlaEventEnvelope, now: Date): Promise<StepJob[]> {
    const key = causeKey(envelope);
    const closing = CLOSING_EVENTS[envelope.event.type];
    if (closing) {
      await manager.query(
        `UPDATE notifier.escalations SET state = 'resolved', resolved_at = $3, resolution = $4
          WHERE tenant_id = $1 AND cause_key = $2 AND state <> 'resolved'`,
        [envelope.tenantId, key, now, closing],
      );
      return [];
    }
    const tenant = await this.tenantConfigs.get(envelope.tenantId);
    const ladders = (tenant?.document.escalations ?? []).filter((ladder) => ladderMatches(ladder, envelope));
    const jobs: StepJob[] = [];
    for (const matched of ladders) {
      const ladder = ladderToStore(matched, tenant?.document.calendars);
      const id = randomUUID();
      const inserted: Array<{ id: string }> = await manager.query(
        `INSERT INTO notifier.escalations (id, tenant_id, ladder_id, cause_key, state, level, ladder, cause, opened_at)
         VALUES ($1, $2, $3, $4, 'open', -1, $5, $6, $7)
         ON CONFLICT (tenant_id, ladder_id, cause_key) WHERE state <> 'resolved' DO NOTHING RETURNING id`,
        [id, envelope.tenantId, ladder.id, key, JSON.stringify(ladder), JSON.stringify(envelope), now],
      );
      if (inserted.length > 0) jobs.push({ escalationId: id, level: 0, delayMs: levelDueAt(ladder, now.getTime(), 0) - now.getTime() });
    }
    return jobs;
  }

  private async scheduleSteps(steps: StepJob[]): Promise<void> {
    for (const step of steps) {
      await this.queues.add(
        NotifierQueue.EscalationSteps,
        `${step.escalationId}-L${step.level}`,
        { escalationId: step.escalationId, level: step.level },
        { delay: Math.max(0, step.delayMs), attempts: 10, backoff: { type: 'exponential', delay: 1000 } },
      );
    }
  }

  /** A ladder level is due: create its deliveries (once) and schedule the next level. */
  async runStep(escalationId: string, level: number, now: Date): Promise<void> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const rows: Array<{ tenant_id: string; state: string; level: number; ladder: StoredLadder; cause: SlaEventEnvelope; opened_at: Date }> =
        await manager.query(`SELECT tenant_id, state, level, ladder, cause, opened_at FROM notifier.escalations WHERE id = $1 FOR UPDATE`, [escalationId]);
      const escalation = rows[0];
      if (!escalation || escalation.state !== 'open' || escalation.level >= level) return undefined;
      const ladder = escalation.ladder;
      const deliveryIds = await this.createDeliveries(manager, escalationId, escalation.tenant_id, ladder, level, escalation.cause);
      await manager.query(`UPDATE notifier.escalations SET level = $2 WHERE id = $1`, [escalationId, level]);
      const next = level + 1 < ladder.levels.length ? level + 1 : undefined;
      const nextDelay = next === undefined ? 0 : levelDueAt(ladder, new Date(escalation.opened_at).getTime(), next) - now.getTime();
      return { deliveryIds, next, nextDelay };
    });
    if (!outcome) return;
    await this.enqueueDeliveries(outcome.deliveryIds);
    if (outcome.next !== undefined) await this.scheduleSteps([{ escalationId, level: outcome.next, delayMs: outcome.nextDelay }]);
  }

  private async createDeliveries(
    manager: EntityManager,
    escalationId: string,
    tenantId: string,
    ladder: StoredLadder,
    level: number,
    cause: SlaEventEnvelope,
  ): Promise<string[]> {
    const tenant = await this.tenantConfigs.get(tenantId);
    const contacts = tenant?.document.contacts ?? [];
    const ids: string[] = [];
    for (const name of ladder.levels[level].notify) {
      // `team` means the contact named like the conversation's team, else the tenant's fallback.
      const contactId = name === 'team' ? (cause.context?.team ?? 'fallback') : name;
      const contact = contacts.find((c) => c.id === contactId) ?? (name === 'team' ? contacts.find((c) => c.id === 'fallback') : undefined);
      if (!contact) {
        this.logger.warn(`escalation ${escalationId}: no contact ${contactId} in tenant configuration`);
        continue;
      }
      if (!contact.webhook) continue;
      const id = randomUUID();
      const payload = JSON.stringify({
        type: 'escalation',
        escalationId,
        ladder: ladder.id,
        level,
        contact: contact.id,
        cause: cause.event,
        context: cause.context ?? {},
      });
      const inserted: Array<{ id: string }> = await manager.query(
        `INSERT INTO notifier.deliveries (id, escalation_id, tenant_id, step, contact_id, channel, target, payload, status)
         VALUES ($1, $2, $3, $4, $5, 'webhook', $6, $7, 'pending') ON CONFLICT DO NOTHING RETURNING id`,
        [id, escalationId, tenantId, `L${level}`, contact.id, this.tenantConfigs.resolvePlaceholders(contact.webhook.url) ?? '', payload],
      );
      if (inserted.length > 0) ids.push(id);
    }
    return ids;
  }

  async enqueueDeliveries(ids: string[]): Promise<void> {
    for (const id of ids) {
      await this.queues.add(NotifierQueue.Deliveries, id, { deliveryId: id }, {
        attempts: DELIVERY_ATTEMPTS,
        backoff: { type: 'jittered' },
      });
    }
  }

  /** One delivery attempt; throws to have BullMQ retry with backoff. */
  async deliver(deliveryId: string, attempt: number, now: Date): Promise<void> {
    const rows: Array<{ tenant_id: string; contact_id: string; target: string; payload: string; status: string }> = await this.dataSource.query(
      `SELECT tenant_id, contact_id, target, payload, status FROM notifier.deliveries WHERE id = $1`,
      [deliveryId],
    );
    const delivery = rows[0];
    if (!delivery || delivery.status !== 'pending') return;
    const target = checkWebhookTarget(delivery.target, this.config.delivery.allowHosts);
    if (!target.ok) {
      await this.dataSource.query(`UPDATE notifier.deliveries SET status = 'dead', last_error = $2 WHERE id = $1`, [deliveryId, target.reason]);
      this.logger.warn(`delivery ${deliveryId} refused: ${target.reason}`);
      return;
    }
    const tenant = await this.tenantConfigs.get(delivery.tenant_id);
    const contact = tenant?.document.contacts?.find((c) => c.id === delivery.contact_id);
    const secret = this.tenantConfigs.resolvePlaceholders(contact?.webhook?.secret);
    const result = await sendWebhook(delivery.target, secret, deliveryId, delivery.payload, Math.floor(now.getTime() / 1000), this.config.delivery.timeoutMs);
    if (result.ok) {
      await this.dataSource.query(
        `UPDATE notifier.deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = now(), last_error = NULL WHERE id = $1 AND status = 'pending'`,
        [deliveryId],
      );
      return;
    }
    const dead = attempt >= DELIVERY_ATTEMPTS;
    await this.dataSource.query(
      `UPDATE notifier.deliveries SET attempts = attempts + 1, last_error = $2, status = CASE WHEN $3 THEN 'dead' ELSE status END WHERE id = $1`,
      [deliveryId, result.error ?? 'failed', dead],
    );
    if (!dead) throw new Error(`delivery ${deliveryId} attempt ${attempt} failed: ${result.error}`);
  }

  /**
   * Re-creates the jobs PostgreSQL says are outstanding (Redis keeps nothing on disk here).
   * Deterministic job ids make this harmless when the jobs still exist.
   */
  async rebuildPendingJobs(now: Date): Promise<{ steps: number; deliveries: number }> {
    const open: Array<{ id: string; level: number; ladder: StoredLadder; opened_at: Date }> = await this.dataSource.query(
      `SELECT id, level, ladder, opened_at FROM notifier.escalations WHERE state = 'open'`,
    );
    const steps: StepJob[] = [];
    for (const escalation of open) {
      const next = escalation.level + 1;
      if (next >= escalation.ladder.levels.length) continue;
      steps.push({ escalationId: escalation.id, level: next, delayMs: levelDueAt(escalation.ladder, new Date(escalation.opened_at).getTime(), next) - now.getTime() });
    }
    await this.scheduleSteps(steps);
    const pending: Array<{ id: string }> = await this.dataSource.query(`SELECT id FROM notifier.deliveries WHERE status = 'pending'`);
    await this.enqueueDeliveries(pending.map((row) => row.id));
    return { steps: steps.length, deliveries: pending.length };
  }
}
