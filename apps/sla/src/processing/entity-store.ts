import type { EntityManager } from 'typeorm';

import type { OutputEvent } from '@pw/contracts';
import { TOPICS } from '@pw/kafka';
import type { ConversationState, CustomerState, EntityRef, EntityState, StateAccess } from '@pw/sla-engine';

/**
 * The engine's entities for one transaction: loaded row by row (locked), served to the
 * engine from memory, and written back with their next due instant.
 */
export class TransactionEntityStore implements StateAccess {
  private readonly loaded = new Map<string, EntityState>();

  constructor(private readonly manager: EntityManager) {}

  private static key(kind: string, tenant: string, id: string): string {
    return `${kind}\u0000${tenant}\u0000${id}`;
  }

  /** Loads (and locks) the rows not loaded yet; a consistent order avoids deadlocks. */
  async load(refs: EntityRef[]): Promise<void> {
    const missing = refs
      .filter((ref) => !this.loaded.has(TransactionEntityStore.key(ref.entity, ref.tenant, ref.id)))
      .sort((a, b) => (a.entity + a.id < b.entity + b.id ? -1 : 1));
    if (missing.length === 0) return;
    const rows: Array<{ state: EntityState }> = await this.manager.query(
      `SELECT e.state FROM sla.entities e
         JOIN unnest($1::uuid[], $2::text[], $3::text[]) AS r(t, k, i) ON e.tenant_id = r.t AND e.kind = r.k AND e.entity_id = r.i
        ORDER BY e.kind, e.entity_id FOR UPDATE OF e`,
      [missing.map((r) => r.tenant), missing.map((r) => r.entity), missing.map((r) => r.id)],
    );
    for (const { state } of rows) this.loaded.set(TransactionEntityStore.key(state.entity, state.tenant, state.id), state);
  }

  adopt(state: EntityState): void {
    this.loaded.set(TransactionEntityStore.key(state.entity, state.tenant, state.id), state);
  }

  conversation(tenant: string, id: string): ConversationState | undefined {
    return this.loaded.get(TransactionEntityStore.key('conversation', tenant, id)) as ConversationState | undefined;
  }

  customer(tenant: string, id: string): CustomerState | undefined {
    return this.loaded.get(TransactionEntityStore.key('customer', tenant, id)) as CustomerState | undefined;
  }

  /** Upserts the changed entities in one statement. */
  async save(states: EntityState[]): Promise<void> {
    const unique = new Map<string, EntityState>();
    for (const state of states) {
      this.adopt(state);
      unique.set(TransactionEntityStore.key(state.entity, state.tenant, state.id), state);
    }
    if (unique.size === 0) return;
    const list = [...unique.values()];
    await this.manager.query(
      `INSERT INTO sla.entities (tenant_id, kind, entity_id, state, next_due_at, updated_at)
       SELECT t, k, i, s, d, now() FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::timestamptz[]) AS r(t, k, i, s, d)
       ON CONFLICT (tenant_id, kind, entity_id) DO UPDATE SET state = EXCLUDED.state, next_due_at = EXCLUDED.next_due_at, updated_at = now()`,
      [
        list.map((s) => s.tenant),
        list.map((s) => s.entity),
        list.map((s) => s.id),
        list.map((s) => JSON.stringify(s)),
        list.map((s) => (s.nextDueAt === null ? null : new Date(s.nextDueAt).toISOString())),
      ],
    );
  }

  /** Queues output events for sla.events.v1, each with a unique eventId, its tenant and context. */
  async publish(tenantId: string, outputs: OutputEvent[], eventIds: string[]): Promise<void> {
    if (outputs.length === 0) return;
    const keys: string[] = [];
    const values: string[] = [];
    outputs.forEach((event, index) => {
      const conversationId = (event as { conversationId?: string }).conversationId;
      const conversation = conversationId ? this.conversation(tenantId, conversationId) : undefined;
      const customer = this.customer(tenantId, event.customerId);
      const context = {
        channel: conversation?.channel ?? undefined,
        priority: conversation?.priority,
        team: conversation?.team ?? undefined,
        tags: conversation?.tags,
        segment: customer?.segment ?? undefined,
      };
      keys.push(conversationId ?? event.customerId);
      values.push(JSON.stringify({ eventId: eventIds[index], tenantId, event, context }));
    });
    await this.manager.query(
      `INSERT INTO sla.outbox (topic, key, value, headers)
       SELECT $1, k, v, jsonb_build_object('tenant-id', $4::text) FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS r(k, v, n) ORDER BY n`,
      [TOPICS.slaEvents, keys, values, tenantId],
    );
  }
}
