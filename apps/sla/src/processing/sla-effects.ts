import { createHash } from 'node:crypto';

import type { EntityManager } from 'typeorm';

import { type OutputEvent, parseInstant } from '@pw/contracts';
import { TOPICS } from '@pw/kafka';
import type { ClockOutcome, ConversationState, EngineResult, EntityState } from '@pw/sla-engine';

import { COUNTER_COLUMNS, type FactContext, MetricDeltas } from '../metrics/metric-deltas';
import { entityKey, type TransactionEntityStore } from './entity-store';

/**
 * The id of an output event: derived from the tenant and the event itself, so that the
 * same fact gets the same id however often it is computed (a redelivered batch after a
 * crash, a timer fired again, a replay). An event can also happen again, identical, at the
 * same instant (a breach retracted, breached again and retracted again by the events of one
 * request): its `occurrence` (0 for the first, 1 for the repeat, …, counted in the order of
 * computation) tells the repeats apart. Formatted as an RFC 9562 version 8 UUID.
 */
export function outputEventId(tenantId: string, output: OutputEvent, occurrence = 0): string {
  const hash = createHash('sha256').update(tenantId).update('\n').update(JSON.stringify(output));
  if (occurrence > 0) hash.update(`\n#${occurrence}`);
  const digest = hash.digest();
  digest[6] = (digest[6] & 0x0f) | 0x80;
  digest[8] = (digest[8] & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The earliest due instant of a conversation's running clocks and open commitments, breached ones included. */
export function openDueAt(state: EntityState): number | null {
  if (state.entity !== 'conversation') return null;
  let earliest: number | null = null;
  for (const clock of state.clocks) if (clock.dueAt !== null && (earliest === null || clock.dueAt < earliest)) earliest = clock.dueAt;
  for (const commitment of state.commitments) if (earliest === null || commitment.dueAt < earliest) earliest = commitment.dueAt;
  return earliest;
}

/** What the write helpers need of a connection: an EntityManager, a QueryRunner or a pg Client. */
type Queryable = { query(sql: string, params?: unknown[]): Promise<unknown> };

/** Writes entity states with their indexed columns (next due instant, customer, team, open due instant). */
export async function upsertEntities(manager: Queryable, list: EntityState[]): Promise<void> {
  await manager.query(
    `INSERT INTO sla.entities (tenant_id, kind, entity_id, state, next_due_at, customer_id, team, open_due_at, updated_at)
     SELECT t, k, i, s, d, c, tm, o, now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::timestamptz[], $6::text[], $7::text[], $8::timestamptz[]) AS r(t, k, i, s, d, c, tm, o)
     ON CONFLICT (tenant_id, kind, entity_id) DO UPDATE
       SET state = EXCLUDED.state, next_due_at = EXCLUDED.next_due_at, customer_id = EXCLUDED.customer_id,
           team = EXCLUDED.team, open_due_at = EXCLUDED.open_due_at, updated_at = now()`,
    [
      list.map((s) => s.tenant),
      list.map((s) => s.entity),
      list.map((s) => s.id),
      list.map((s) => JSON.stringify(s)),
      list.map((s) => isoOrNull(s.nextDueAt)),
      list.map((s) => (s.entity === 'conversation' ? s.customerId : null)),
      list.map((s) => (s.entity === 'conversation' ? s.team : null)),
      list.map((s) => isoOrNull(openDueAt(s))),
    ],
  );
}

interface OutputRecord {
  tenantId: string;
  /** The id of the event's first occurrence, and which occurrence this one is. */
  baseId: string;
  occurrence: number;
  eventId: string;
  output: OutputEvent;
  context: { channel?: string; priority?: string; team?: string; tags?: string[]; segment?: string };
}

export interface FinishedClockRecord {
  tenantId: string;
  outcome: ClockOutcome;
  context: FactContext;
}

/** The ledger's primary key (tenant, event id) as one map key. */
function ledgerKey(tenantId: string, eventId: string): string {
  return `${tenantId}\u0000${eventId}`;
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/**
 * Everything a batch (or a timer round) changes, gathered in memory and written at the end
 * of its transaction in a few statements: entity states, output events (timeline and outbox),
 * finished clocks and metric aggregates.
 */
export class SlaEffects {
  private readonly changed = new Map<string, EntityState>();
  private readonly outputs: OutputRecord[] = [];
  private readonly finished: FinishedClockRecord[] = [];
  readonly metrics = new MetricDeltas();
  /** Fired-at minus due-at of each timer the timer loop fired, for the detection-lag histogram. */
  readonly lateness: number[] = [];

  /**
   * `occurrences`: the occurrences given so far, by each event's first id (a repeat of an
   * identical event gets the next one). A replay recomputes the tenant's whole history and
   * shares one map across its chunks. Live processing (no map given) counts within the batch
   * and, when it writes, after the occurrences already in the ledger: a committed output is
   * never computed again live (its events are skipped as applied, its timer has moved on), so
   * an identical event already recorded is an earlier occurrence, whichever batch, timer round
   * or process computed it.
   */
  constructor(
    private readonly store: TransactionEntityStore,
    occurrences?: Map<string, number>,
  ) {
    this.continuesLedger = occurrences === undefined;
    this.occurrences = occurrences ?? new Map();
  }

  private readonly continuesLedger: boolean;
  private readonly occurrences: Map<string, number>;

  get outputCount(): number {
    return this.outputs.length;
  }

  /** Output events per tenant and type, for the counters. */
  outputCounts(): Array<[string, string, number]> {
    const counts = new Map<string, [string, string, number]>();
    for (const { tenantId, output } of this.outputs) {
      const key = `${tenantId}\u0000${output.type}`;
      const entry = counts.get(key);
      if (entry) entry[2]++;
      else counts.set(key, [tenantId, output.type, 1]);
    }
    return [...counts.values()];
  }

  get finishedClocks(): readonly FinishedClockRecord[] {
    return this.finished;
  }

  private identify(tenantId: string, output: OutputEvent): Pick<OutputRecord, 'baseId' | 'occurrence' | 'eventId'> {
    const baseId = outputEventId(tenantId, output);
    const occurrence = this.occurrences.get(baseId) ?? 0;
    this.occurrences.set(baseId, occurrence + 1);
    return { baseId, occurrence, eventId: occurrence === 0 ? baseId : outputEventId(tenantId, output, occurrence) };
  }

  /**
   * Live: shifts the occurrences of events the ledger already holds past the ones recorded (one
   * primary-key probe for the batch; a further one per occurrence only for such repeats, which
   * are rare: a breach retracted and breached again at the same instant).
   */
  private async continueLedgerOccurrences(manager: EntityManager): Promise<void> {
    const firsts = this.outputs.filter((record) => record.occurrence === 0);
    if (firsts.length === 0) return;
    const recorded = async (probes: Array<{ tenantId: string; eventId: string }>): Promise<Set<string>> => {
      const rows: Array<{ tenant_id: string; event_id: string }> = await manager.query(
        `SELECT o.tenant_id, o.event_id FROM sla.output_events o
           JOIN unnest($1::uuid[], $2::uuid[]) AS p(tenant_id, event_id) USING (tenant_id, event_id)`,
        [probes.map((p) => p.tenantId), probes.map((p) => p.eventId)],
      );
      return new Set(rows.map((row) => ledgerKey(row.tenant_id, row.event_id)));
    };
    const hits = await recorded(firsts.map((r) => ({ tenantId: r.tenantId, eventId: r.baseId })));
    if (hits.size === 0) return;
    // How many occurrences of each such event the ledger holds: probe 1, 2, … until one is free.
    const held = new Map<string, { record: OutputRecord; count: number }>();
    for (const record of firsts) {
      const key = ledgerKey(record.tenantId, record.baseId);
      if (hits.has(key)) held.set(key, { record, count: 1 });
    }
    for (let open = [...held.values()]; open.length > 0; ) {
      const probes = open.map(({ record, count }) => ({ tenantId: record.tenantId, eventId: outputEventId(record.tenantId, record.output, count) }));
      const found = await recorded(probes);
      open = open.filter((entry, i) => {
        if (!found.has(ledgerKey(probes[i].tenantId, probes[i].eventId))) return false;
        entry.count++;
        return true;
      });
    }
    for (const record of this.outputs) {
      const entry = held.get(ledgerKey(record.tenantId, record.baseId));
      if (!entry) continue;
      record.occurrence += entry.count;
      record.eventId = outputEventId(record.tenantId, record.output, record.occurrence);
    }
  }

  /** Takes one engine result; `agent` is who acted in the event that caused it, if any. */
  absorb(tenantId: string, result: EngineResult, agent: string | null): void {
    for (const state of result.created) this.store.adopt(state);
    for (const state of result.changed) this.changed.set(entityKey(state.entity, state.tenant, state.id), state);
    for (const output of result.outputs) {
      const conversationId = (output as { conversationId?: string }).conversationId;
      const conversation = conversationId ? this.store.conversation(tenantId, conversationId) : undefined;
      const customer = this.store.customer(tenantId, output.customerId);
      this.outputs.push({
        tenantId,
        ...this.identify(tenantId, output),
        output,
        context: {
          channel: conversation?.channel ?? undefined,
          priority: conversation?.priority,
          team: conversation?.team ?? undefined,
          tags: conversation?.tags,
          segment: customer?.segment ?? undefined,
        },
      });
      if (output.type === 'feedback.detractor' && conversation) {
        this.metrics.add({ tenantId, detractorAt: parseInstant(output.at), context: this.factContext(conversation, agent) });
      }
    }
    for (const outcome of result.outcomes) {
      const conversation = this.store.conversation(tenantId, outcome.conversationId);
      const context = this.factContext(conversation, agent);
      this.metrics.add({ tenantId, outcome, context });
      if (outcome.kind === 'clock') this.finished.push({ tenantId, outcome, context });
    }
  }

  private factContext(conversation: ConversationState | undefined, agent: string | null): FactContext {
    return {
      team: conversation?.team ?? null,
      channel: conversation?.channel ?? null,
      priority: conversation?.priority ?? 'normal',
      policy: conversation?.policy ?? null,
      agent,
    };
  }

  /**
   * `publishFrom` (replay): an output new to the ledger is queued for publishing only when its
   * event time is at or after this instant; earlier ones join the timeline without paging anyone.
   */
  async write(manager: EntityManager, options: { publishFrom?: number } = {}): Promise<{ recorded: number; queued: number }> {
    await this.writeEntities(manager);
    if (this.continuesLedger) await this.continueLedgerOccurrences(manager);
    const outputs = await this.writeOutputs(manager, options.publishFrom ?? null);
    await this.writeFinishedClocks(manager);
    await this.writeMetrics(manager);
    return outputs;
  }

  private async writeEntities(manager: EntityManager): Promise<void> {
    if (this.changed.size === 0) return;
    // In key order, like the loads, so that concurrent writers lock rows in the same order.
    await upsertEntities(manager, [...this.changed.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, state]) => state));
  }

  /**
   * The timeline is the ledger of output events: an event already recorded (the same fact
   * computed again, by a replay) is not queued for publishing again.
   */
  /** Returns how many outputs were new to the ledger, and how many of those were queued. */
  private async writeOutputs(manager: EntityManager, publishFrom: number | null): Promise<{ recorded: number; queued: number }> {
    if (this.outputs.length === 0) return { recorded: 0, queued: 0 };
    const records = this.outputs;
    const [counts]: Array<{ recorded: number; queued: number }> = await manager.query(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::jsonb[])
           WITH ORDINALITY AS r(tenant_id, event_id, type, at, conversation_id, customer_id, body, n)
       ), recorded AS (
         INSERT INTO sla.output_events (tenant_id, event_id, type, at, conversation_id, customer_id, body)
         SELECT tenant_id, event_id, type, at, conversation_id, customer_id, body FROM input ORDER BY n
         ON CONFLICT (tenant_id, event_id) DO NOTHING
         RETURNING tenant_id, event_id
       ), queued AS (
         INSERT INTO sla.outbox (topic, key, value, headers)
         SELECT $8, coalesce(i.conversation_id, i.customer_id), i.body::text, jsonb_build_object('tenant-id', i.tenant_id::text)
           FROM input i JOIN recorded USING (tenant_id, event_id) WHERE $9::timestamptz IS NULL OR i.at >= $9 ORDER BY i.n
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM recorded)::int AS recorded, (SELECT count(*) FROM queued)::int AS queued`,
      [
        records.map((r) => r.tenantId),
        records.map((r) => r.eventId),
        records.map((r) => r.output.type),
        records.map((r) => r.output.at),
        records.map((r) => (r.output as { conversationId?: string }).conversationId ?? null),
        records.map((r) => r.output.customerId),
        records.map((r) => JSON.stringify({ eventId: r.eventId, tenantId: r.tenantId, event: r.output, context: r.context })),
        TOPICS.slaEvents,
        isoOrNull(publishFrom),
      ],
    );
    return counts;
  }

  /** The ids of every output gathered, in order (replay compares them with the ledger). */
  outputIds(): string[] {
    return this.outputs.map((record) => record.eventId);
  }

  private async writeFinishedClocks(manager: EntityManager): Promise<void> {
    await writeFinishedClocks(manager, this.finished);
  }

  private async writeMetrics(manager: EntityManager): Promise<void> {
    await writeMetricDeltas(manager, this.metrics);
  }
}

/** Upserts finished clocks (the outliers' rows); the last word on a clock in `records` wins. */
export async function writeFinishedClocks(manager: Queryable, records: readonly FinishedClockRecord[]): Promise<void> {
  if (records.length === 0) return;
  // The last word on a clock wins (a clock can be finished, restarted and finished in one batch).
  const unique = new Map<string, FinishedClockRecord>();
  for (const record of records) {
    const { outcome } = record;
    unique.set(`${record.tenantId}\u0000${outcome.conversationId}\u0000${outcome.metric}\u0000${outcome.cycle}`, record);
  }
  const list = [...unique.values()];
  await manager.query(
    `INSERT INTO sla.finished_clocks (tenant_id, conversation_id, metric, cycle, customer_id, policy, team, agent, channel, priority,
                                      verdict, on_time, breached, started_at, due_at, finished_at, counted_ms, target_ms)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                          $11::text[], $12::boolean[], $13::boolean[], $14::timestamptz[], $15::timestamptz[], $16::timestamptz[], $17::bigint[], $18::bigint[])
     ON CONFLICT (tenant_id, conversation_id, metric, cycle) DO UPDATE SET
       customer_id = EXCLUDED.customer_id, policy = EXCLUDED.policy, team = EXCLUDED.team, agent = EXCLUDED.agent,
       channel = EXCLUDED.channel, priority = EXCLUDED.priority, verdict = EXCLUDED.verdict, on_time = EXCLUDED.on_time,
       breached = EXCLUDED.breached, started_at = EXCLUDED.started_at, due_at = EXCLUDED.due_at,
       finished_at = EXCLUDED.finished_at, counted_ms = EXCLUDED.counted_ms, target_ms = EXCLUDED.target_ms`,
    [
      list.map((r) => r.tenantId),
      list.map((r) => r.outcome.conversationId),
      list.map((r) => r.outcome.metric),
      list.map((r) => r.outcome.cycle),
      list.map((r) => r.outcome.customerId),
      list.map((r) => r.outcome.policy),
      list.map((r) => r.context.team),
      list.map((r) => r.context.agent),
      list.map((r) => r.context.channel),
      list.map((r) => r.context.priority),
      list.map((r) => r.outcome.verdict),
      list.map((r) => r.outcome.onTime),
      list.map((r) => r.outcome.breached),
      list.map((r) => isoOrNull(r.outcome.startedAt)),
      list.map((r) => isoOrNull(r.outcome.dueAt)),
      list.map((r) => isoOrNull(r.outcome.at)),
      list.map((r) => Math.round(r.outcome.countedMs)),
      list.map((r) => r.outcome.targetMs),
    ],
  );
}

/** Adds a batch's metric deltas to the counters and sketch bins (rows in key order). */
export async function writeMetricDeltas(manager: Queryable, metrics: MetricDeltas): Promise<void> {
  if (metrics.isEmpty) return;
  const counters = metrics.sortedCounters();
  const columns = COUNTER_COLUMNS.map((column) => `"${column}"`).join(', ');
  const arrays = COUNTER_COLUMNS.map((column, index) => `$${index + 6}::bigint[]`).join(', ');
  // Appended, not added to one row per cell: batches of other partitions touch the same cells
  // and would wait for each other's commit on that row (the fold and the questions sum them).
  await manager.query(
    `INSERT INTO sla.metric_counters (tenant_id, grain, bucket, dimension, value, ${columns})
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], ${arrays})`,
    [
      counters.map((c) => c.key.tenantId),
      counters.map((c) => c.key.grain),
      counters.map((c) => new Date(c.key.bucket).toISOString()),
      counters.map((c) => c.key.dimension),
      counters.map((c) => c.key.value),
      ...COUNTER_COLUMNS.map((column) => counters.map((c) => c.deltas[column] ?? 0)),
    ],
  );
  const bins = metrics.sortedBins();
  if (bins.length === 0) return;
  await manager.query(
    `INSERT INTO sla.metric_sketch_bins (tenant_id, grain, bucket, dimension, value, bin, count)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::int[], $7::bigint[])`,
    [
      bins.map((b) => b.key.tenantId),
      bins.map((b) => b.key.grain),
      bins.map((b) => new Date(b.key.bucket).toISOString()),
      bins.map((b) => b.key.dimension),
      bins.map((b) => b.key.value),
      bins.map((b) => b.bin),
      bins.map((b) => b.count),
    ],
  );
}
