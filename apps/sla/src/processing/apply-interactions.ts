import type { EntityManager } from 'typeorm';

import { type InteractionEvent, parseInstant } from '@pw/contracts';
import type { EntityRef, SlaEngine } from '@pw/sla-engine';

import type { TransactionEntityStore } from './entity-store';
import type { SlaEffects } from './sla-effects';

export interface InteractionToApply {
  tenantId: string;
  event: InteractionEvent;
  /** The tenant's engine; `undefined` when it has no valid configuration (the event changes nothing). */
  engine: SlaEngine | undefined;
}

export interface ApplyHooks {
  /** A timer of the event's entities was due before its arrival and fired first. */
  caughtUp?(): void;
  applied?(tenantId: string): void;
  skipped?(item: InteractionToApply): void;
}

/**
 * Applies interactions in order, the live batch's and replay's one way of doing it. Before an
 * event is applied, the timers of its entities due strictly before its arrival fire (event
 * time, as the simulator does): the live timer loop may not have reached them yet (a
 * backlog, a restart), and the result must not depend on that.
 */
export async function applyInteractions(store: TransactionEntityStore, effects: SlaEffects, items: InteractionToApply[], hooks: ApplyHooks = {}): Promise<number> {
  const baseRefs: EntityRef[] = [];
  for (const { engine, event } of items) if (engine) baseRefs.push(...engine.entitiesFor(event));
  await store.load(baseRefs);

  let applied = 0;
  for (const item of items) {
    const { engine, event, tenantId } = item;
    if (!engine) {
      hooks.skipped?.(item);
      continue;
    }
    const loaded = { conversation: store.conversation(tenantId, event.conversationId), customer: store.customer(tenantId, event.customerId) };
    const refs = engine.entitiesFor(event, loaded);
    if (refs.some((ref) => !store.has(ref))) await store.load(refs);
    const occurredAt = parseInstant(event.occurredAt);
    const arrivedAt = Math.max(occurredAt, event.receivedAt === undefined ? occurredAt : parseInstant(event.receivedAt));
    for (const ref of refs) {
      const state = store.get(ref);
      if (state && state.nextDueAt !== null && state.nextDueAt < arrivedAt) {
        hooks.caughtUp?.();
        effects.absorb(tenantId, engine.fireDue(store, state, arrivedAt - 1), null);
      }
    }
    effects.absorb(tenantId, engine.apply(store, event), event.agent ?? null);
    hooks.applied?.(tenantId);
    applied++;
  }
  return applied;
}

/** The advisory lock that keeps live processing of a tenant and its replay apart. */
const TENANT_LOCK = `hashtextextended('sla-tenant:' || t, 0)`;

/**
 * Live processing holds the tenant's lock shared, for its whole transaction, taken before any
 * row lock (in one order, so that two batches never deadlock on it); replay holds it exclusively.
 */
export async function lockTenantsShared(manager: EntityManager, tenantIds: Iterable<string>): Promise<void> {
  const tenants = [...new Set(tenantIds)].sort();
  if (tenants.length === 0) return;
  await manager.query(`SELECT pg_advisory_xact_lock_shared(${TENANT_LOCK}) FROM unnest($1::text[]) WITH ORDINALITY AS x(t, n) ORDER BY n`, [tenants]);
}

/** For a claim already holding row locks (the timer loop): never waits; the tenants under replay are left out. */
export async function tryLockTenantsShared(manager: EntityManager, tenantIds: Iterable<string>): Promise<Set<string>> {
  const tenants = [...new Set(tenantIds)].sort();
  if (tenants.length === 0) return new Set();
  const rows: Array<{ t: string; locked: boolean }> = await manager.query(
    `SELECT t, pg_try_advisory_xact_lock_shared(${TENANT_LOCK}) AS locked FROM unnest($1::text[]) WITH ORDINALITY AS x(t, n) ORDER BY n`,
    [tenants],
  );
  return new Set(rows.filter((row) => row.locked).map((row) => row.t));
}

export async function lockTenantExclusive(manager: EntityManager, tenantId: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(${TENANT_LOCK}) FROM (SELECT $1::text AS t) x`, [tenantId]);
}
