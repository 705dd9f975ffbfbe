import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import type { EscalationState } from '../escalations/escalation.entity';

export interface DeliveryView {
  id: string;
  escalationId: string;
  step: string;
  contact: string;
  channel: string;
  target: string;
  status: string;
  attempts: number;
  redeliveries: number;
  lastError: string | null;
  createdAt: string;
  firstAttemptAt: string | null;
  deliveredAt: string | null;
}

export interface EscalationView {
  id: string;
  ladder: string;
  cause: { key: string; event: unknown; context: unknown };
  state: EscalationState;
  level: number;
  step: number;
  reopened: number;
  openedAt: string;
  acknowledged: { at: string; by: string | null; note: string | null } | null;
  reopenedAt: string | null;
  resolvedAt: string | null;
  resolution: string | null;
}

const iso = (value: Date | null): string | null => (value ? new Date(value).toISOString() : null);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Read side of escalations and deliveries; every query is bound to the caller's tenant. */
@Injectable()
export class EscalationQueriesService {
  constructor(private readonly dataSource: DataSource) {}

  async list(tenantId: string, state: EscalationState | undefined, limit: number): Promise<EscalationView[]> {
    const rows = await this.dataSource.query(
      `SELECT * FROM notifier.escalations WHERE tenant_id = $1 AND ($2::text IS NULL OR state = $2) ORDER BY opened_at DESC, id LIMIT $3`,
      [tenantId, state ?? null, limit],
    );
    return rows.map(toEscalationView);
  }

  async get(tenantId: string, id: string): Promise<(EscalationView & { deliveries: DeliveryView[] }) | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows = await this.dataSource.query(`SELECT * FROM notifier.escalations WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    if (rows.length === 0) return undefined;
    const deliveries = await this.dataSource.query(
      `SELECT * FROM notifier.deliveries WHERE tenant_id = $1 AND escalation_id = $2 ORDER BY created_at, step, contact_id, channel, target`,
      [tenantId, id],
    );
    return { ...toEscalationView(rows[0]), deliveries: deliveries.map(toDeliveryView) };
  }

  async deliveries(tenantId: string, status: string | undefined, limit: number): Promise<DeliveryView[]> {
    const rows = await this.dataSource.query(
      `SELECT * FROM notifier.deliveries WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2) ORDER BY created_at DESC, id LIMIT $3`,
      [tenantId, status ?? null, limit],
    );
    return rows.map(toDeliveryView);
  }

  isId(id: string): boolean {
    return UUID.test(id);
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any -- rows straight from SQL */
function toEscalationView(row: any): EscalationView {
  return {
    id: row.id,
    ladder: row.ladder_id,
    cause: { key: row.cause_key, event: row.cause?.event, context: row.cause?.context ?? {} },
    state: row.state,
    level: row.level,
    step: row.step,
    reopened: row.epoch,
    openedAt: iso(row.opened_at)!,
    acknowledged: row.acknowledged_at ? { at: iso(row.acknowledged_at)!, by: row.acknowledged_by, note: row.ack_note } : null,
    reopenedAt: iso(row.reopened_at),
    resolvedAt: iso(row.resolved_at),
    resolution: row.resolution,
  };
}

function toDeliveryView(row: any): DeliveryView {
  return {
    id: row.id,
    escalationId: row.escalation_id,
    step: row.step,
    contact: row.contact_id,
    channel: row.channel,
    // Stored with its `${NAME}` placeholders: a token in a URL is never shown.
    target: row.target,
    status: row.status,
    attempts: row.attempts,
    redeliveries: row.redeliveries,
    lastError: row.last_error,
    createdAt: iso(row.created_at)!,
    firstAttemptAt: iso(row.first_attempt_at),
    deliveredAt: iso(row.delivered_at),
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */
