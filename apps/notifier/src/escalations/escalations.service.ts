import { randomUUID } from 'node:crypto';

import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

import { parseDuration } from '@pw/contracts';
import { APP_CONFIG } from '@pw/platform';

import type { NotifierConfig } from '../config/notifier.config';
import { buildNotification } from '../deliveries/notification.builder';
import { NotifierQueue } from '../queues/queue-names.constant';
import { QueuesService } from '../queues/queues.service';
import { type ContactDocument, TenantConfigService } from '../tenant-config/tenant-config.service';
import {
  causeKey,
  CLOSING_EVENTS,
  deliveryStepName,
  type LadderStep,
  ladderMatches,
  ladderSteps,
  ladderToStore,
  roundsByKey,
  type SlaEventEnvelope,
  stepDueAt,
  type StoredLadder,
} from './ladder.util';

interface StepJob {
  escalationId: string;
  epoch: number;
  step: number;
  delayMs: number;
}

interface AckTimeoutJob {
  escalationId: string;
  epoch: number;
  delayMs: number;
}

/** The jobs a batch of events leaves to enqueue once its transaction has committed. */
interface OpenedWork {
  steps: StepJob[];
  deliveries: DeliveryJob[];
}

interface DeliveryJob {
  deliveryId: string;
  redeliveries: number;
}

/** A delivery to create: one contact, one channel, one target, the notification it carries. */
interface DeliveryRowInput {
  escalation_id: string;
  tenant_id: string;
  step: string;
  contact_id: string;
  channel: 'webhook' | 'slack' | 'email';
  target: string;
  payload: string;
}

interface EscalationRow {
  id: string;
  tenant_id: string;
  state: 'open' | 'acknowledged' | 'resolved';
  step: number;
  epoch: number;
  ladder: StoredLadder;
  cause: SlaEventEnvelope;
  anchor_at: Date;
  acknowledged_at: Date | null;
}

/** BullMQ attempts are not what ends a delivery: its retry window is (see DeliveriesService). */
export const DELIVERY_JOB_ATTEMPTS = 100_000;

/** Causes that a public reply to the customer ends, whichever conversation it is in (see handlePublicReplies). */
const CONTACT_CAUSE_PREFIXES = ['silence:', 'pattern:'];

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
    const work = await this.dataSource.transaction(async (manager) => {
      const fresh: Array<{ event_id: string }> = await manager.query(
        `INSERT INTO notifier.processed_events (event_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING event_id`,
        [envelopes.map((e) => e.eventId)],
      );
      const freshIds = new Set(fresh.map((row) => row.event_id));
      const events: SlaEventEnvelope[] = [];
      for (const envelope of envelopes) {
        if (!freshIds.delete(envelope.eventId)) continue; // known, or the same id twice in one batch
        events.push(envelope);
      }
      const collected: OpenedWork = { steps: [], deliveries: [] };
      // One cause's events in their order; different causes never touch the same rows.
      for (const round of roundsByKey(events, (e) => `${e.tenantId}\u0000${causeKey(e)}`)) await this.applyRound(manager, round, now, collected);
      return collected;
    });
    // After the commit: the jobs may run at once, and must find the rows.
    await this.enqueueDeliveries(work.deliveries);
    await this.scheduleSteps(work.steps);
  }

  /** Events of distinct causes: a few set-based statements for all of them, not a few each. */
  private async applyRound(manager: EntityManager, round: SlaEventEnvelope[], now: Date, work: OpenedWork): Promise<void> {
    const closing: Array<{ tenantId: string; causeKey: string; resolution: string }> = [];
    const opening: Array<{ row: EscalationRow; steps: LadderStep[]; ladderId: string; causeKey: string; firstNow: boolean; firstDue: number; nextDue: number | null }> = [];
    for (const envelope of round) {
      const key = causeKey(envelope);
      const resolution = CLOSING_EVENTS[envelope.event.type];
      if (resolution) {
        closing.push({ tenantId: envelope.tenantId, causeKey: key, resolution });
        continue;
      }
      const tenant = await this.tenantConfigs.get(envelope.tenantId, manager);
      const ladders = (tenant?.document.escalations ?? []).filter((ladder) => ladderMatches(ladder, envelope));
      if (ladders.length === 0) continue;
      if (CONTACT_CAUSE_PREFIXES.some((prefix) => key.startsWith(prefix)) && (await this.contactedSince(manager, envelope))) continue;
      for (const matched of ladders) {
        const ladder = ladderToStore(matched, tenant?.document.calendars);
        const steps = ladderSteps(ladder);
        const firstDue = stepDueAt(ladder, now.getTime(), 0, steps);
        // A first step due now (`after: 0m`, the usual case) is taken in this transaction: no
        // step job and no commit of its own between the breach and the page.
        const firstNow = firstDue <= now.getTime();
        const nextDue = firstNow ? (steps.length > 1 ? stepDueAt(ladder, now.getTime(), 1, steps) : null) : firstDue;
        const row: EscalationRow = { id: randomUUID(), tenant_id: envelope.tenantId, state: 'open', step: firstNow ? 0 : -1, epoch: 0, ladder, cause: envelope, anchor_at: now, acknowledged_at: null };
        opening.push({ row, steps, ladderId: ladder.id, causeKey: key, firstNow, firstDue, nextDue });
      }
    }
    await this.resolveCauses(manager, closing, now);
    if (opening.length === 0) return;
    // An open (or acknowledged) escalation of the same cause continues as it is, with its ladder.
    const inserted: Array<{ id: string }> = await manager.query(
      `INSERT INTO notifier.escalations (id, tenant_id, ladder_id, cause_key, state, level, step, epoch, ladder, cause, opened_at, anchor_at, next_step_at)
       SELECT r.id, r.tenant_id, r.ladder_id, r.cause_key, 'open', 0, r.step, 0, r.ladder, r.cause, $1, $1, r.next_step_at
         FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, tenant_id uuid, ladder_id text, cause_key text, step int, ladder jsonb, cause jsonb, next_step_at timestamptz)
       ON CONFLICT (tenant_id, ladder_id, cause_key) WHERE state <> 'resolved' DO NOTHING RETURNING id`,
      [
        now,
        JSON.stringify(
          opening.map((o) => ({
            id: o.row.id,
            tenant_id: o.row.tenant_id,
            ladder_id: o.ladderId,
            cause_key: o.causeKey,
            step: o.row.step,
            ladder: o.row.ladder,
            cause: o.row.cause,
            next_step_at: o.nextDue === null ? null : new Date(o.nextDue).toISOString(),
          })),
        ),
      ],
    );
    const insertedIds = new Set(inserted.map((r) => r.id));
    const deliveries: DeliveryRowInput[] = [];
    for (const o of opening) {
      if (!insertedIds.has(o.row.id)) continue;
      if (o.firstNow) {
        deliveries.push(...(await this.deliveryRows(manager, o.row, o.steps[0])));
        if (o.nextDue !== null) work.steps.push({ escalationId: o.row.id, epoch: 0, step: 1, delayMs: o.nextDue - now.getTime() });
      } else {
        work.steps.push({ escalationId: o.row.id, epoch: 0, step: 0, delayMs: o.firstDue - now.getTime() });
      }
    }
    work.deliveries.push(...(await this.insertDeliveries(manager, deliveries)));
  }

  /** A public reply that overtook the event (two topics, two consumers) means the cause is already over. */
  private async contactedSince(manager: EntityManager, envelope: SlaEventEnvelope): Promise<boolean> {
    const rows: Array<{ contacted: boolean }> = await manager.query(
      `SELECT last_public_reply_at > $3::timestamptz AS contacted FROM notifier.customer_contacts WHERE tenant_id = $1 AND customer_id = $2`,
      [envelope.tenantId, envelope.event.customerId, envelope.event.at],
    );
    return rows[0]?.contacted === true;
  }

  private async resolveCauses(manager: EntityManager, causes: Array<{ tenantId: string; causeKey: string; resolution: string }>, now: Date): Promise<void> {
    if (causes.length === 0) return;
    const resolved: Array<{ id: string; resolution: string }> = await manager.query(
      // As a CTE: TypeORM answers a bare UPDATE … RETURNING with [rows, count].
      `WITH resolved AS (
         UPDATE notifier.escalations e SET state = 'resolved', resolved_at = $4, resolution = r.resolution
           FROM unnest($1::uuid[], $2::text[], $3::text[]) AS r(tenant_id, cause_key, resolution)
          WHERE e.tenant_id = r.tenant_id AND e.cause_key = r.cause_key AND e.state <> 'resolved' RETURNING e.id, r.resolution)
       SELECT id, resolution FROM resolved`,
      [causes.map((c) => c.tenantId), causes.map((c) => c.causeKey), causes.map((c) => c.resolution), now],
    );
    await this.cancelPendingDeliveries(manager, resolved);
  }

  /** Nobody is told about a cause that is over: retries still pending stop here. */
  private async cancelPendingDeliveries(manager: EntityManager, resolved: Array<{ id: string; resolution: string }>): Promise<void> {
    if (resolved.length === 0) return;
    await manager.query(
      `UPDATE notifier.deliveries d SET status = 'cancelled', last_error = 'the escalation was resolved (' || r.resolution || ')'
         FROM unnest($1::uuid[], $2::text[]) AS r(id, resolution)
        WHERE d.escalation_id = r.id AND d.status = 'pending'`,
      [resolved.map((r) => r.id), resolved.map((r) => r.resolution)],
    );
  }

  /** Public replies (from interactions.accepted.v1) end silence and pattern escalations of that customer. */
  async handlePublicReplies(replies: Array<{ tenantId: string; customerId: string; at: Date }>, now: Date): Promise<void> {
    // The latest reply per customer is all that matters.
    const latest = new Map<string, { tenantId: string; customerId: string; at: Date }>();
    for (const reply of replies) {
      const key = `${reply.tenantId}\u0000${reply.customerId}`;
      const seen = latest.get(key);
      if (!seen || seen.at < reply.at) latest.set(key, reply);
    }
    if (latest.size === 0) return;
    const list = [...latest.values()].sort((a, b) => (a.tenantId + a.customerId < b.tenantId + b.customerId ? -1 : 1));
    const tenants = list.map((r) => r.tenantId);
    const customers = list.map((r) => r.customerId);
    const instants = list.map((r) => r.at.toISOString());
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO notifier.customer_contacts (tenant_id, customer_id, last_public_reply_at)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[])
         ON CONFLICT (tenant_id, customer_id) DO UPDATE
           SET last_public_reply_at = GREATEST(notifier.customer_contacts.last_public_reply_at, EXCLUDED.last_public_reply_at)`,
        [tenants, customers, instants],
      );
      const resolved: Array<{ id: string; resolution: string }> = await manager.query(
        `WITH resolved AS (
           UPDATE notifier.escalations e SET state = 'resolved', resolved_at = $4, resolution = 'contacted'
             FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS r(tenant_id, customer_id, at)
            WHERE e.tenant_id = r.tenant_id AND e.cause_key IN ('silence:' || r.customer_id, 'pattern:' || r.customer_id)
              AND e.state <> 'resolved' AND (e.cause->'event'->>'at')::timestamptz < r.at
            RETURNING e.id, e.resolution)
         SELECT id, resolution FROM resolved`,
        [tenants, customers, instants, now],
      );
      await this.cancelPendingDeliveries(manager, resolved);
    });
  }

  private async scheduleSteps(steps: StepJob[]): Promise<void> {
    await this.queues.addMany(
      NotifierQueue.EscalationSteps,
      steps.map((step) => ({
        jobId: `${step.escalationId}-e${step.epoch}-s${step.step}`,
        data: { escalationId: step.escalationId, epoch: step.epoch, step: step.step },
        options: { delay: Math.max(0, step.delayMs), attempts: 20, backoff: { type: 'exponential', delay: 1000 } },
      })),
    );
  }

  private async scheduleAckTimeouts(jobs: AckTimeoutJob[]): Promise<void> {
    await this.queues.addMany(
      NotifierQueue.AckTimeouts,
      jobs.map((job) => ({
        jobId: `${job.escalationId}-e${job.epoch}-ack`,
        data: { escalationId: job.escalationId, epoch: job.epoch },
        options: { delay: Math.max(0, job.delayMs), attempts: 20, backoff: { type: 'exponential', delay: 1000 } },
      })),
    );
  }

  async enqueueDeliveries(jobs: DeliveryJob[]): Promise<void> {
    await this.queues.addMany(
      NotifierQueue.Deliveries,
      jobs.map((job) => ({
        jobId: `${job.deliveryId}-r${job.redeliveries}`,
        data: { deliveryId: job.deliveryId },
        options: { attempts: DELIVERY_JOB_ATTEMPTS, backoff: { type: 'jittered' } },
      })),
    );
  }

  /**
   * A ladder step is due: create its deliveries (once) and schedule the next step. A step
   * that already fired (the job ran twice) only makes sure its follow-up jobs exist.
   */
  async runStep(escalationId: string, epoch: number, step: number, now: Date): Promise<void> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const escalation = await this.lock(manager, escalationId);
      if (!escalation || escalation.epoch !== epoch || escalation.state !== 'open') return undefined;
      const steps = ladderSteps(escalation.ladder);
      if (step >= steps.length || step > escalation.step + 1) return undefined;
      if (step <= escalation.step) {
        if (step < escalation.step) return undefined;
        return { deliveries: await this.pendingDeliveries(manager, escalationId), next: this.nextStep(escalation, steps, now) };
      }
      await this.insertDeliveries(manager, await this.deliveryRows(manager, escalation, steps[step]));
      const next = this.nextStep({ ...escalation, step }, steps, now);
      await manager.query(`UPDATE notifier.escalations SET step = $2, level = $3, next_step_at = $4 WHERE id = $1`, [
        escalationId,
        step,
        steps[step].level,
        next ? new Date(now.getTime() + next.delayMs) : null,
      ]);
      return { deliveries: await this.pendingDeliveries(manager, escalationId), next };
    });
    if (!outcome) return;
    await this.enqueueDeliveries(outcome.deliveries);
    if (outcome.next) await this.scheduleSteps([outcome.next]);
  }

  private nextStep(escalation: EscalationRow, steps: LadderStep[], now: Date): StepJob | undefined {
    const next = escalation.step + 1;
    if (next >= steps.length) return undefined;
    const due = stepDueAt(escalation.ladder, new Date(escalation.anchor_at).getTime(), next, steps);
    return { escalationId: escalation.id, epoch: escalation.epoch, step: next, delayMs: due - now.getTime() };
  }

  private async lock(manager: EntityManager, escalationId: string): Promise<EscalationRow | undefined> {
    const rows: EscalationRow[] = await manager.query(
      `SELECT id, tenant_id, state, step, epoch, ladder, cause, anchor_at, acknowledged_at FROM notifier.escalations WHERE id = $1 FOR UPDATE`,
      [escalationId],
    );
    return rows[0];
  }

  private async pendingDeliveries(manager: EntityManager, escalationId: string): Promise<DeliveryJob[]> {
    // Filtered here, not in SQL: with `status` in the query the planner may pick the partial
    // index of pending rows, which churns (pending → delivered) and is slow to scan.
    const rows: Array<{ id: string; redeliveries: number; status: string }> = await manager.query(
      `SELECT id, redeliveries, status FROM notifier.deliveries WHERE escalation_id = $1`,
      [escalationId],
    );
    return rows.filter((row) => row.status === 'pending').map((row) => ({ deliveryId: row.id, redeliveries: row.redeliveries }));
  }

  /** `team` means the contact named like the conversation's team, else the tenant's `fallback` contact. */
  private resolveContact(contacts: ContactDocument[], name: string, cause: SlaEventEnvelope): ContactDocument | undefined {
    if (name !== 'team') return contacts.find((contact) => contact.id === name);
    const team = cause.context?.team;
    return (team ? contacts.find((contact) => contact.id === team) : undefined) ?? contacts.find((contact) => contact.id === 'fallback');
  }

  /** The deliveries of one step of one escalation: one per contact and channel. */
  private async deliveryRows(manager: EntityManager, escalation: EscalationRow, step: LadderStep): Promise<DeliveryRowInput[]> {
    const tenant = await this.tenantConfigs.get(escalation.tenant_id, manager);
    const contacts = tenant?.document.contacts ?? [];
    const stepName = deliveryStepName(step, escalation.epoch);
    const rows: DeliveryRowInput[] = [];
    for (const name of step.notify) {
      const contact = this.resolveContact(contacts, name, escalation.cause);
      if (!contact) {
        this.logger.warn(`escalation ${escalation.id}: no contact for ${name} (team ${escalation.cause.context?.team ?? '-'}) and no fallback`);
        continue;
      }
      const payload = JSON.stringify(
        buildNotification({
          escalationId: escalation.id,
          ladderId: escalation.ladder.id,
          step: stepName,
          level: step.level,
          contactId: contact.id,
          cause: escalation.cause,
          publicUrl: this.config.http.publicUrl,
          slaPublicUrl: this.config.http.slaPublicUrl,
        }),
      );
      const row = { escalation_id: escalation.id, tenant_id: escalation.tenant_id, step: stepName, contact_id: contact.id, payload };
      // The target keeps its `${NAME}` placeholders: the URL may carry a token.
      if (contact.webhook) rows.push({ ...row, channel: contact.webhook.format === 'slack' ? 'slack' : 'webhook', target: contact.webhook.url });
      for (const address of contact.email ?? []) rows.push({ ...row, channel: 'email', target: address });
    }
    return rows;
  }

  /** Creates deliveries once: a step that runs again finds them there and creates none. */
  private async insertDeliveries(manager: EntityManager, rows: DeliveryRowInput[]): Promise<DeliveryJob[]> {
    if (rows.length === 0) return [];
    const created: Array<{ id: string }> = await manager.query(
      `INSERT INTO notifier.deliveries (id, escalation_id, tenant_id, step, contact_id, channel, target, payload, status, first_attempt_at)
       SELECT gen_random_uuid(), r.escalation_id, r.tenant_id, r.step, r.contact_id, r.channel, r.target, r.payload, 'pending', now()
         FROM jsonb_to_recordset($1::jsonb) AS r(escalation_id uuid, tenant_id uuid, step text, contact_id text, channel text, target text, payload text)
       ON CONFLICT DO NOTHING RETURNING id`,
      [JSON.stringify(rows)],
    );
    return created.map((row) => ({ deliveryId: row.id, redeliveries: 0 }));
  }

  /**
   * Acknowledged: the ladder stops. With an `ackTimeout`, a timer re-opens it at the step it
   * had if the cause is still on then. Acknowledging again changes nothing.
   */
  async acknowledge(
    tenantId: string,
    escalationId: string,
    by: string,
    note: string | undefined,
    now: Date,
  ): Promise<'acknowledged' | 'already' | 'resolved' | 'unknown'> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      const escalation = await this.lock(manager, escalationId);
      if (!escalation || escalation.tenant_id !== tenantId) return { result: 'unknown' as const };
      if (escalation.state === 'resolved') return { result: 'resolved' as const };
      if (escalation.state === 'acknowledged') return { result: 'already' as const };
      await manager.query(
        `UPDATE notifier.escalations SET state = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3, ack_note = $4 WHERE id = $1`,
        [escalationId, now, by, note ?? null],
      );
      const timeout = escalation.ladder.ackTimeout ? parseDuration(escalation.ladder.ackTimeout) : undefined;
      return { result: 'acknowledged' as const, timeout: timeout ? { escalationId, epoch: escalation.epoch, delayMs: timeout } : undefined };
    });
    if (outcome.result === 'acknowledged' && outcome.timeout) await this.scheduleAckTimeouts([outcome.timeout]);
    return outcome.result;
  }

  /** The ack timeout passed and the cause is still on: open again, at the step it had. */
  async reopenAfterAckTimeout(escalationId: string, epoch: number, now: Date): Promise<void> {
    const step = await this.dataSource.transaction(async (manager) => {
      const escalation = await this.lock(manager, escalationId);
      if (!escalation || escalation.state !== 'acknowledged' || escalation.epoch !== epoch) return undefined;
      const steps = ladderSteps(escalation.ladder);
      const reopenAt = Math.min(Math.max(0, escalation.step), steps.length - 1);
      // Offset zero of the new run, so that its steps keep the ladder's spacing from now on.
      const anchor = new Date(now.getTime() - steps[reopenAt].offsetMs);
      const due = stepDueAt(escalation.ladder, anchor.getTime(), reopenAt, steps);
      await manager.query(
        `UPDATE notifier.escalations SET state = 'open', epoch = epoch + 1, step = $2, anchor_at = $3, reopened_at = $4, next_step_at = $5 WHERE id = $1`,
        [escalationId, reopenAt - 1, anchor, now, new Date(due)],
      );
      this.logger.log(`escalation ${escalationId} re-opened at ${steps[reopenAt].label}: acknowledged, but the cause is still on`);
      return { escalationId, epoch: epoch + 1, step: reopenAt, delayMs: due - now.getTime() };
    });
    if (step) await this.scheduleSteps([step]);
  }

  /**
   * Re-creates the jobs PostgreSQL says are outstanding (Redis keeps nothing on disk here).
   * Deterministic job ids make this harmless when the jobs still exist.
   */
  async rebuildPendingJobs(now: Date): Promise<{ steps: number; ackTimeouts: number; deliveries: number }> {
    const active: EscalationRow[] = await this.dataSource.query(
      `SELECT id, tenant_id, state, step, epoch, ladder, cause, anchor_at, acknowledged_at FROM notifier.escalations
        WHERE (state = 'open' AND next_step_at IS NOT NULL) OR (state = 'acknowledged' AND ladder->>'ackTimeout' IS NOT NULL)`,
    );
    const steps: StepJob[] = [];
    const ackTimeouts: AckTimeoutJob[] = [];
    for (const escalation of active) {
      if (escalation.state === 'open') {
        const next = this.nextStep(escalation, ladderSteps(escalation.ladder), now);
        if (next) steps.push(next);
      } else if (escalation.ladder.ackTimeout && escalation.acknowledged_at) {
        const timeout = parseDuration(escalation.ladder.ackTimeout) ?? 0;
        ackTimeouts.push({ escalationId: escalation.id, epoch: escalation.epoch, delayMs: new Date(escalation.acknowledged_at).getTime() + timeout - now.getTime() });
      }
    }
    await this.scheduleSteps(steps);
    await this.scheduleAckTimeouts(ackTimeouts);
    const pending: Array<{ id: string; redeliveries: number }> = await this.dataSource.query(
      `SELECT id, redeliveries FROM notifier.deliveries WHERE status = 'pending'`,
    );
    await this.enqueueDeliveries(pending.map((row) => ({ deliveryId: row.id, redeliveries: row.redeliveries })));
    return { steps: steps.length, ackTimeouts: ackTimeouts.length, deliveries: pending.length };
  }
}
