import { StringHashMap } from './string-hash-map';

import type { StateAccess } from '../engine/sla-engine';
import type { ConversationState, CustomerState, EntityState } from '../state/engine-state.type';

/** A JSON-serialisable copy of everything an {@link InMemoryStateStore} holds. */
export interface StateSnapshot {
  conversations: ConversationState[];
  customers: CustomerState[];
  /** Idempotency keys already seen: `tenant \u0000 source \u0000 id`. */
  seenEvents: string[];
}

interface TenantStates {
  conversations: Map<string, ConversationState>;
  customers: Map<string, CustomerState>;
  /** source → ids seen: nested rather than concatenated keys, so no string is built per event. */
  seenEvents: Map<string, StringHashMap<true>>;
}

/**
 * Entity states and the idempotency ledger in memory: what the simulator and the benchmark
 * use, and the reference for a persistent store (one row per entity, one per key).
 */
export class InMemoryStateStore implements StateAccess {
  private readonly tenants = new Map<string, TenantStates>();
  /** The last tenant asked for: nearly always the same one. */
  private lastTenant: string | undefined;
  private lastTenantStates: TenantStates | undefined;

  private tenant(tenant: string): TenantStates {
    if (tenant === this.lastTenant && this.lastTenantStates) return this.lastTenantStates;
    let states = this.tenants.get(tenant);
    if (!states) {
      states = { conversations: new Map(), customers: new Map(), seenEvents: new Map() };
      this.tenants.set(tenant, states);
    }
    this.lastTenant = tenant;
    this.lastTenantStates = states;
    return states;
  }

  conversation(tenant: string, id: string): ConversationState | undefined {
    return this.tenant(tenant).conversations.get(id);
  }

  customer(tenant: string, id: string): CustomerState | undefined {
    return this.tenant(tenant).customers.get(id);
  }

  save(states: readonly EntityState[]): void {
    for (const state of states) {
      if (state.entity === 'conversation') this.tenant(state.tenant).conversations.set(state.id, state);
      else this.tenant(state.tenant).customers.set(state.id, state);
    }
  }

  /**
   * Records an event's idempotency key (events.md: per tenant and source); false when it was
   * already seen, in which case the event must change nothing.
   */
  claimEvent(tenant: string, source: string, id: string): boolean {
    const { seenEvents } = this.tenant(tenant);
    let ids = seenEvents.get(source);
    if (!ids) {
      ids = new StringHashMap();
      seenEvents.set(source, ids);
    }
    return ids.add(id, true);
  }

  *allStates(): IterableIterator<EntityState> {
    for (const states of this.tenants.values()) {
      yield* states.conversations.values();
      yield* states.customers.values();
    }
  }

  get conversationCount(): number {
    let count = 0;
    for (const states of this.tenants.values()) count += states.conversations.size;
    return count;
  }

  snapshot(): StateSnapshot {
    const snapshot: StateSnapshot = { conversations: [], customers: [], seenEvents: [] };
    for (const [tenant, states] of this.tenants) {
      snapshot.conversations.push(...states.conversations.values());
      snapshot.customers.push(...states.customers.values());
      for (const [source, ids] of states.seenEvents) {
        for (const [id] of ids.entries()) snapshot.seenEvents.push(`${tenant}\u0000${source}\u0000${id}`);
      }
    }
    return snapshot;
  }

  static restore(snapshot: StateSnapshot): InMemoryStateStore {
    const store = new InMemoryStateStore();
    store.save(snapshot.conversations);
    store.save(snapshot.customers);
    for (const entry of snapshot.seenEvents) {
      const [tenant, source, ...id] = entry.split('\u0000');
      store.claimEvent(tenant, source, id.join('\u0000'));
    }
    return store;
  }
}
