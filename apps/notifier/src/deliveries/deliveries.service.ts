import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { APP_CONFIG } from '@pw/platform';

import type { NotifierConfig } from '../config/notifier.config';
import { EscalationsService } from '../escalations/escalations.service';
import { TenantConfigService } from '../tenant-config/tenant-config.service';
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

  constructor(
    private readonly dataSource: DataSource,
    private readonly tenantConfigs: TenantConfigService,
    private readonly escalations: EscalationsService,
    @Inject(APP_CONFIG) private readonly config: NotifierConfig,
  ) {
    this.email = new EmailSender(config.mail.smtpUrl, config.mail.from, config.delivery.timeoutMs);
  }

  async deliver(deliveryId: string, attempt: number, now: Date): Promise<void> {
    const rows: DeliveryRow[] = await this.dataSource.query(
      // As a CTE: TypeORM answers a bare UPDATE … RETURNING with [rows, count].
      `WITH attempt AS (
         UPDATE notifier.deliveries d SET first_attempt_at = coalesce(d.first_attempt_at, $2)
           FROM notifier.escalations e
          WHERE d.id = $1 AND e.id = d.escalation_id
          RETURNING d.id, d.tenant_id, d.contact_id, d.channel, d.target, d.payload, d.status, d.first_attempt_at, e.state AS escalation_state)
       SELECT * FROM attempt`,
      [deliveryId, now],
    );
    const delivery = rows[0];
    if (!delivery || delivery.status !== 'pending') return;
    if (delivery.escalation_state === 'resolved') {
      await this.finish(deliveryId, 'cancelled', 'the escalation was resolved');
      return;
    }
    const result = await this.attempt(delivery, now);
    if (result.ok) {
      await this.dataSource.query(
        `UPDATE notifier.deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = $2, last_error = NULL WHERE id = $1 AND status = 'pending'`,
        [deliveryId, now],
      );
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
              UPDATE notifier.deliveries d SET status = 'pending', first_attempt_at = NULL, last_error = NULL, redeliveries = d.redeliveries + 1
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
