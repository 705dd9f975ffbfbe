import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { APP_CONFIG } from '@pw/platform';

import type { NotifierConfig } from '../config/notifier.config';
import { EscalationsService } from '../escalations/escalations.service';
import { TenantConfigService } from '../tenant-config/tenant-config.service';
import { CoalescingBatcher } from './coalescing-batcher';
import { EmailSender } from './email.sender';
import { type Notification, renderEmail, renderSlack } from './notification.builder';
import { checkWebhookTarget } from './webhook-target.policy';
import { sendWebhook, type WebhookAttemptResult } from './webhook.sender';

interface DeliveryRow {
  id: string;
  tenant_id: string;
  contact_id: string;
  channel: 'webhook' | 'slack' | 'email';
  target: string;
  payload: string;
  status: string;
  first_attempt_at: Date | null;
  escalation_state: string;
}

/** Thrown for BullMQ to retry the job with backoff. */
export class DeliveryRetry extends Error {}

/**
 * One attempt of one delivery. The delivery id is the `webhook-id` (and the e-mail's
 * Message-ID): the same on every attempt and redelivery, so a receiver can drop a repeat.
 */
@Injectable()
export class DeliveriesService implements OnApplicationShutdown {
  private readonly logger = new Logger('Deliveries');
  private readonly email: EmailSender;
  /**
   * Successes are recorded together: one statement and one commit for all the deliveries
   * that finished within a few milliseconds, not one fsync each. The job completes only once
   * its row says delivered; a crash before that sends it again, with the same webhook-id.
   */
  private readonly delivered = new CoalescingBatcher<{ id: string; at: Date }>(async (items) => {
    await this.dataSource.query(
      `UPDATE notifier.deliveries d SET status = 'delivered', attempts = d.attempts + 1, delivered_at = r.at, last_error = NULL
         FROM unnest($1::uuid[], $2::timestamptz[]) AS r(id, at) WHERE d.id = r.id AND d.status = 'pending'`,
      [items.map((item) => item.id), items.map((item) => item.at)],
    );
  });

  /** The rows of concurrent attempts are read by one statement, not one round trip each. */
  private readonly rows = new CoalescingBatcher<string, DeliveryRow | undefined>(async (ids) => {
    const found: DeliveryRow[] = await this.dataSource.query(
      `SELECT d.id, d.tenant_id, d.contact_id, d.channel, d.target, d.payload, d.status, d.first_attempt_at, e.state AS escalation_state
         FROM notifier.deliveries d JOIN notifier.escalations e ON e.id = d.escalation_id WHERE d.id = ANY($1::uuid[])`,
      [ids],
    );
    const byId = new Map(found.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id));
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly tenantConfigs: TenantConfigService,
    private readonly escalations: EscalationsService,
    @Inject(APP_CONFIG) private readonly config: NotifierConfig,
  ) {
    this.email = new EmailSender(config.mail.smtpUrl, config.mail.from, config.delivery.timeoutMs);
  }

  async deliver(deliveryId: string, attempt: number, now: Date): Promise<void> {
    const delivery = await this.rows.add(deliveryId);
    if (!delivery || delivery.status !== 'pending') return;
    if (delivery.escalation_state === 'resolved') {
      await this.finish(deliveryId, 'cancelled', 'the escalation was resolved');
      return;
    }
    const result = await this.attempt(delivery, now);
    if (result.ok) {
      await this.delivered.add({ id: deliveryId, at: now });
      return;
    }
    const windowOver = now.getTime() - new Date(delivery.first_attempt_at ?? now).getTime() >= this.config.delivery.retryWindowMs;
    const dead = result.permanent === true || windowOver;
    await this.dataSource.query(
      `UPDATE notifier.deliveries SET attempts = attempts + 1, last_error = $2, status = CASE WHEN $3 THEN 'dead' ELSE status END WHERE id = $1 AND status = 'pending'`,
      [deliveryId, result.error ?? 'failed', dead],
    );
    if (dead) {
      this.logger.warn(`delivery ${deliveryId} is a dead letter after ${attempt} attempts: ${result.error}`);
      return;
    }
    throw new DeliveryRetry(`delivery ${deliveryId} attempt ${attempt} failed: ${result.error}`);
  }

  private async attempt(delivery: DeliveryRow, now: Date): Promise<WebhookAttemptResult> {
    const notification = JSON.parse(delivery.payload) as Notification;
    if (delivery.channel === 'email') return this.email.send(delivery.id, delivery.target, renderEmail(notification));
    const url = this.tenantConfigs.resolvePlaceholders(delivery.target) ?? '';
    const target = checkWebhookTarget(url, this.config.delivery.allowHosts);
    if (!target.ok) return { ok: false, error: target.reason, permanent: true };
    const tenant = await this.tenantConfigs.get(delivery.tenant_id);
    const contact = tenant?.document.contacts?.find((c) => c.id === delivery.contact_id);
    const secret = this.tenantConfigs.resolvePlaceholders(contact?.webhook?.secret);
    const body = delivery.channel === 'slack' ? JSON.stringify(renderSlack(notification)) : delivery.payload;
    return sendWebhook(url, secret, delivery.id, body, Math.floor(now.getTime() / 1000), this.config.delivery.timeoutMs);
  }

  private async finish(deliveryId: string, status: 'cancelled', reason: string): Promise<void> {
    await this.dataSource.query(`UPDATE notifier.deliveries SET status = $2, last_error = $3 WHERE id = $1 AND status = 'pending'`, [deliveryId, status, reason]);
  }

  /** A dead letter (or a cancelled delivery) goes out again, with the same `webhook-id` and a new retry window. */
  async redeliver(tenantId: string, deliveryId: string): Promise<'queued' | 'not-dead' | 'unknown'> {
    const rows: Array<{ status: string; redeliveries: number; updated: boolean }> = await this.dataSource.query(
      `WITH target AS (SELECT id, status FROM notifier.deliveries WHERE id = $1 AND tenant_id = $2 FOR UPDATE),
            updated AS (
              UPDATE notifier.deliveries d SET status = 'pending', first_attempt_at = now(), last_error = NULL, redeliveries = d.redeliveries + 1
                FROM target WHERE d.id = target.id AND target.status IN ('dead', 'cancelled')
                RETURNING d.redeliveries)
       SELECT target.status, (SELECT redeliveries FROM updated) AS redeliveries, EXISTS (SELECT 1 FROM updated) AS updated FROM target`,
      [deliveryId, tenantId],
    );
    if (rows.length === 0) return 'unknown';
    if (!rows[0].updated) return 'not-dead';
    await this.escalations.enqueueDeliveries([{ deliveryId, redeliveries: rows[0].redeliveries }]);
    return 'queued';
  }

  onApplicationShutdown(): void {
    this.email.close();
  }
}
