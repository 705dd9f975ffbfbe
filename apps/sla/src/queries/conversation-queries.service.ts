import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { ProblemException } from '@pw/platform';
import {
  type ClockState,
  type CommitmentState,
  type ConversationState,
  countedAt,
  type CustomerState,
  type EngineConfig,
  explainClock,
} from '@pw/sla-engine';

import { EngineRegistry } from '../processing/engine-registry.service';
import { iso } from './query-params';

/** Most timeline entries a conversation answer lists (the latest ones). */
const TIMELINE_LIMIT = 1000;
/** Most conversations of one customer a customer answer reads. */
const CUSTOMER_CONVERSATIONS_LIMIT = 500;

function notFound(what: string): ProblemException {
  return new ProblemException(404, 'Not Found', `no ${what} with this id in your tenant`);
}

function clockView(config: EngineConfig | undefined, clock: ClockState, now: number, conversationId: string) {
  const segment = clock.segments[clock.segments.length - 1];
  const counted = config ? Math.round(countedAt(config, clock, Math.max(now, clock.startedAt))) : null;
  return {
    metric: clock.metric,
    cycle: clock.cycle,
    policy: clock.policy,
    state: segment?.paused ? 'paused' : 'running',
    calendar: segment?.calendar ?? null,
    targetMs: clock.targetMs,
    startedAt: iso(clock.startedAt),
    dueAt: iso(clock.dueAt),
    countedMs: counted,
    remainingMs: counted === null ? null : Math.max(0, clock.targetMs - counted),
    breached: clock.breached,
    warned: clock.warned,
    nextTimerAt: iso(clock.timerAt),
    links: { explain: `/v1/conversations/${encodeURIComponent(conversationId)}/explain` },
  };
}

function commitmentView(commitment: CommitmentState, conversationId: string, now: number) {
  return {
    id: commitment.id,
    by: commitment.by,
    conversationId,
    dueAt: iso(commitment.dueAt),
    madeAt: iso(commitment.madeAt),
    state: commitment.broken ? 'broken' : commitment.dueAt <= now ? 'overdue' : 'open',
    broken: commitment.broken,
    links: { conversation: `/v1/conversations/${encodeURIComponent(conversationId)}` },
  };
}

interface TimelineRow {
  source: 'interaction' | 'sla';
  seq: string;
  at: Date;
  body: Record<string, unknown>;
}

/**
 * The questions about one conversation, the open work nearest its due instants, and one
 * customer. Every read is scoped by the caller's tenant: another tenant's ids are not found.
 */
@Injectable()
export class ConversationQueriesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engines: EngineRegistry,
  ) {}

  private async conversationState(tenantId: string, conversationId: string): Promise<ConversationState> {
    const rows: Array<{ state: ConversationState }> = await this.dataSource.query(
      `SELECT state FROM sla.entities WHERE tenant_id = $1 AND kind = 'conversation' AND entity_id = $2`,
      [tenantId, conversationId],
    );
    if (rows.length === 0) throw notFound('conversation');
    return rows[0].state;
  }

  async conversation(tenantId: string, conversationId: string, now: number) {
    const state = await this.conversationState(tenantId, conversationId);
    const engine = await this.engines.engineFor(tenantId);
    const [finished, timeline] = await Promise.all([this.finishedClocks(tenantId, conversationId), this.timeline(tenantId, conversationId)]);
    return {
      id: state.id,
      customerId: state.customerId,
      channel: state.channel,
      priority: state.priority,
      team: state.team,
      tags: state.tags,
      status: state.status,
      policy: state.policy,
      contactedAt: iso(state.contactedAt),
      transfers: state.transfers,
      asOf: iso(now),
      clocks: state.clocks.map((clock) => clockView(engine?.config, clock, now, state.id)),
      finishedClocks: finished,
      commitments: state.commitments.map((commitment) => commitmentView(commitment, state.id, now)),
      timeline: timeline.entries,
      timelineTruncated: timeline.truncated,
      links: {
        self: `/v1/conversations/${encodeURIComponent(state.id)}`,
        explain: `/v1/conversations/${encodeURIComponent(state.id)}/explain`,
        customer: `/v1/customers/${encodeURIComponent(state.customerId)}`,
      },
    };
  }

  async explain(tenantId: string, conversationId: string, now: number) {
    const state = await this.conversationState(tenantId, conversationId);
    const engine = await this.engines.engineFor(tenantId);
    if (!engine) {
      throw new ProblemException(409, 'Conflict', 'this tenant has no configuration valid in this environment, so its calendars cannot be read');
    }
    const clocks = state.clocks.map((clock) => {
      const explanation = explainClock(engine.config, clock, Math.max(now, clock.startedAt));
      return {
        ...explanation,
        startedAt: iso(explanation.startedAt),
        dueAt: iso(explanation.dueAt),
        asOf: iso(explanation.asOf),
        countedMs: Math.round(explanation.countedMs),
        changes: explanation.changes.map((change) => ({ ...change, at: iso(change.at) })),
        steps: explanation.steps.map((step) => ({ ...step, from: iso(step.from), to: iso(step.to) })),
      };
    });
    return { conversationId: state.id, asOf: iso(now), configurationRevision: engine.config.revision, clocks };
  }

  private async finishedClocks(tenantId: string, conversationId: string) {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT metric, cycle, policy, verdict, on_time, breached, started_at, due_at, finished_at, counted_ms, target_ms
         FROM sla.finished_clocks WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY finished_at, metric, cycle`,
      [tenantId, conversationId],
    );
    return rows.map((row) => ({
      metric: row.metric,
      cycle: row.cycle,
      policy: row.policy,
      verdict: row.verdict,
      onTime: row.on_time,
      breached: row.breached,
      startedAt: iso((row.started_at as Date).getTime()),
      dueAt: row.due_at ? iso((row.due_at as Date).getTime()) : null,
      finishedAt: iso((row.finished_at as Date).getTime()),
      countedMs: Number(row.counted_ms),
      targetMs: Number(row.target_ms),
    }));
  }

  /** What came in (the applied interactions) and what the service said (its output events), in order. */
  private async timeline(tenantId: string, conversationId: string): Promise<{ entries: unknown[]; truncated: boolean }> {
    // Ordered by the qualified columns: a bare `seq` would be the text alias (sorting '100' before '18').
    const rows: TimelineRow[] = await this.dataSource.query(
      `SELECT * FROM (
         (SELECT 'interaction' AS source, seq::text AS seq, coalesce(received_at, (event->>'occurredAt')::timestamptz) AS at, event AS body
            FROM sla.applied_events a WHERE tenant_id = $1 AND event->>'conversationId' = $2 ORDER BY a.seq DESC LIMIT $3)
         UNION ALL
         (SELECT 'sla', seq::text, at, body->'event' FROM sla.output_events o WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY o.seq DESC LIMIT $3)
       ) t`,
      [tenantId, conversationId, TIMELINE_LIMIT + 1],
    );
    const entries = rows
      .map((row) => {
        const body = row.body;
        const at = row.source === 'interaction' ? String(body.occurredAt) : String(body.at);
        return { source: row.source, seq: Number(row.seq), at, body };
      })
      // By event time; interactions before the output they caused at the same instant.
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.source !== b.source ? (a.source === 'interaction' ? -1 : 1) : a.seq - b.seq));
    const truncated = entries.length > TIMELINE_LIMIT;
    return {
      entries: entries.slice(-TIMELINE_LIMIT).map(({ source, at, body }) =>
        source === 'interaction'
          ? { at, source, type: `interaction.${String(body.kind)}`, interaction: body }
          : { at, source, type: String(body.type), event: body },
      ),
      truncated,
    };
  }

  async atRisk(tenantId: string, options: { within: number; team?: string; limit: number; now: number }) {
    const horizon = options.now + options.within;
    // The first `limit` items by due instant belong to at most `limit` conversations, and those
    // are the first `limit` by their earliest open due instant: the index answers it.
    const rows: Array<{ state: ConversationState }> = await this.dataSource.query(
      `SELECT state FROM sla.entities
        WHERE tenant_id = $1 AND open_due_at IS NOT NULL AND open_due_at <= $2 AND ($3::text IS NULL OR team = $3)
        ORDER BY open_due_at LIMIT $4`,
      [tenantId, new Date(horizon).toISOString(), options.team ?? null, options.limit],
    );
    const items: Array<{ dueAt: number; item: Record<string, unknown> }> = [];
    for (const { state } of rows) {
      const base = {
        conversationId: state.id,
        customerId: state.customerId,
        team: state.team,
        channel: state.channel,
        priority: state.priority,
        links: { conversation: `/v1/conversations/${encodeURIComponent(state.id)}`, explain: `/v1/conversations/${encodeURIComponent(state.id)}/explain` },
      };
      for (const clock of state.clocks) {
        if (clock.dueAt === null || clock.dueAt > horizon) continue;
        const breached = clock.breached || clock.dueAt <= options.now;
        items.push({
          dueAt: clock.dueAt,
          item: { kind: 'clock', metric: clock.metric, cycle: clock.cycle, policy: clock.policy, dueAt: iso(clock.dueAt), breached, ...base },
        });
      }
      for (const commitment of state.commitments) {
        if (commitment.dueAt > horizon) continue;
        const breached = commitment.broken || commitment.dueAt <= options.now;
        items.push({
          dueAt: commitment.dueAt,
          item: { kind: 'commitment', promiseId: commitment.id, by: commitment.by, dueAt: iso(commitment.dueAt), breached, ...base },
        });
      }
    }
    items.sort((a, b) => a.dueAt - b.dueAt);
    return {
      asOf: iso(options.now),
      within: `${options.within / 60_000}m`,
      horizon: iso(horizon),
      team: options.team ?? null,
      items: items.slice(0, options.limit).map(({ item, dueAt }) => ({ ...item, dueInMs: dueAt - options.now })),
    };
  }

  async customer(tenantId: string, customerId: string, now: number) {
    const [customerRows, conversationRows] = await Promise.all([
      this.dataSource.query(`SELECT state FROM sla.entities WHERE tenant_id = $1 AND kind = 'customer' AND entity_id = $2`, [tenantId, customerId]) as Promise<
        Array<{ state: CustomerState }>
      >,
      this.dataSource.query(
        `SELECT state FROM sla.entities WHERE tenant_id = $1 AND kind = 'conversation' AND customer_id = $2 ORDER BY updated_at DESC LIMIT $3`,
        [tenantId, customerId, CUSTOMER_CONVERSATIONS_LIMIT],
      ) as Promise<Array<{ state: ConversationState }>>,
    ]);
    if (customerRows.length === 0 && conversationRows.length === 0) throw notFound('customer');
    const customer = customerRows[0]?.state;
    const engine = await this.engines.engineFor(tenantId);
    const pattern = engine?.config.commitments.customer.pattern ?? null;
    const broken = customer?.brokenCommitments ?? [];
    const inWindow = pattern ? broken.filter((record) => record.at > now - pattern.windowMs) : broken;

    const ours: unknown[] = [];
    const theirs: unknown[] = [];
    for (const { state } of conversationRows) {
      for (const commitment of state.commitments) (commitment.by === 'provider' ? ours : theirs).push(commitmentView(commitment, state.id, now));
    }
    const history: Array<{ body: Record<string, unknown> }> = await this.dataSource.query(
      `SELECT body->'event' AS body FROM sla.output_events
        WHERE tenant_id = $1 AND customer_id = $2 AND (type LIKE 'promise.%' OR type IN ('customer.pattern', 'account.silent'))
        ORDER BY seq DESC LIMIT 100`,
      [tenantId, customerId],
    );
    return {
      id: customerId,
      segment: customer?.segment ?? null,
      firstSeenAt: iso(customer?.firstSeenAt),
      asOf: iso(now),
      commitments: { ours, theirs },
      brokenPattern: {
        threshold: pattern?.threshold ?? null,
        windowMs: pattern?.windowMs ?? null,
        brokenInWindow: inWindow.length,
        reached: pattern ? inWindow.length >= pattern.threshold : false,
        broken: broken.map((record) => ({
          at: iso(record.at),
          conversationId: record.conversationId,
          promiseId: record.promiseId,
          links: { conversation: `/v1/conversations/${encodeURIComponent(record.conversationId)}` },
        })),
      },
      silence: {
        lastPublicReplyAt: iso(customer?.lastPublicReplyAt),
        silentDueAt: iso(customer?.silenceDueAt),
        silent: customer?.silenceReportedSince !== null && customer?.silenceReportedSince !== undefined,
        silentSince: iso(customer?.silenceReportedSince),
      },
      conversations: conversationRows.map(({ state }) => ({
        id: state.id,
        status: state.status,
        team: state.team,
        runningClocks: state.clocks.length,
        openCommitments: state.commitments.length,
        links: { self: `/v1/conversations/${encodeURIComponent(state.id)}` },
      })),
      recentEvents: history.map((row) => row.body),
    };
  }
}
