import type { EntityManager } from 'typeorm';

import type { ConversationState, CustomerState, EntityRef, EntityState, StateAccess } from '@pw/sla-engine';

function entityKey(kind: string, tenant: string, id: string): string {
  return `${kind}\u0000${tenant}\u0000${id}`;
}

/**
 * The engine's entities for one transaction: loaded in bulk (and locked), served to the
 * engine from memory. Writing them back is {@link SlaEffects}' job.
 */
export class TransactionEntityStore implements StateAccess {
  private readonly loaded = new Map<string, EntityState>();
  /** Keys looked up and not found: not asked for again in this transaction. */
  private readonly absent = new Set<string>();

  constructor(private readonly manager: EntityManager) {}

  has(ref: EntityRef): boolean {
    const key = entityKey(ref.entity, ref.tenant, ref.id);
    return this.loaded.has(key) || this.absent.has(key);
  }

  /** Loads (and locks) the rows not loaded yet, in one statement; a consistent order avoids deadlocks. */
  async load(refs: EntityRef[]): Promise<void> {
    const missing = new Map<string, EntityRef>();
    for (const ref of refs) {
      const key = entityKey(ref.entity, ref.tenant, ref.id);
      if (!this.loaded.has(key) && !this.absent.has(key)) missing.set(key, ref);
    }
    if (missing.size === 0) return;
    const wanted = [...missing.values()];
    const rows: Array<{ state: EntityState }> = await this.manager.query(
      `SELECT e.state FROM sla.entities e
         JOIN unnest($1::uuid[], $2::text[], $3::text[]) AS r(t, k, i) ON e.tenant_id = r.t AND e.kind = r.k AND e.entity_id = r.i
        ORDER BY e.tenant_id, e.kind, e.entity_id FOR UPDATE OF e`,
      [wanted.map((r) => r.tenant), wanted.map((r) => r.entity), wanted.map((r) => r.id)],
    );
    for (const { state } of rows) this.adopt(state);
    for (const [key] of missing) if (!this.loaded.has(key)) this.absent.add(key);
  }

  /** Takes an entity read elsewhere in this transaction (the timer claim), or created by the engine. */
  adopt(state: EntityState): void {
    const key = entityKey(state.entity, state.tenant, state.id);
    this.loaded.set(key, state);
    this.absent.delete(key);
  }

  /** Every entity this store holds (replay fires what is due among them at the end). */
  entities(): IterableIterator<EntityState> {
    return this.loaded.values();
  }

  get(ref: EntityRef): EntityState | undefined {
    return this.loaded.get(entityKey(ref.entity, ref.tenant, ref.id));
  }

  conversation(tenant: string, id: string): ConversationState | undefined {
    return this.loaded.get(entityKey('conversation', tenant, id)) as ConversationState | undefined;
  }

  customer(tenant: string, id: string): CustomerState | undefined {
    return this.loaded.get(entityKey('customer', tenant, id)) as CustomerState | undefined;
  }
}

export { entityKey };
