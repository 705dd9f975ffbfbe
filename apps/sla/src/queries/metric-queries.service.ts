import path from 'node:path';

import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Piscina } from 'piscina';
import { DataSource } from 'typeorm';

import { ProblemException } from '@pw/platform';

import { answerMetricsShare, assembleMetrics, type MetricsFormat, type MetricsShare, type MetricsShareTask, type MetricsQuery } from './metric-answer';
import type { MetricAnswerWorkerData } from './metric-answer.worker';
import { iso } from './query-params';

/** The metrics `outliers` ranks: the clock metrics of the contract. */
export const OUTLIER_METRICS = ['acknowledgement', 'first_response', 'next_response', 'periodic_update', 'resolution'] as const;

/** How metrics answers are computed: on `threads` threads of their own (0: on the event loop), from `databaseUrl`. */
export interface MetricAnswering {
  databaseUrl: string;
  threads: number;
  /** Shares that may wait for a thread; a question beyond it is refused (503) instead of queued without end. */
  queuedSharesLimit?: number;
}
export const METRIC_ANSWERING = Symbol('METRIC_ANSWERING');

const ANSWER_WORKER = path.join(__dirname, 'metric-answer.worker.cjs');
const ANSWER_THREAD_IDLE_MS = 10 * 60_000;

/**
 * Reads the aggregates the batches maintain (counters and sketch bins per bucket), never
 * the finished clocks themselves: the cost follows buckets × groups, not clocks. Metrics
 * answers are computed on threads of their own (metric-answer.ts says why); a grouped one
 * is split between them by group.
 */
@Injectable()
export class MetricQueriesService implements OnApplicationShutdown {
  private readonly threads: Piscina | null;
  private readonly shares: number;
  private readonly queuedSharesLimit: number;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(METRIC_ANSWERING) answering: MetricAnswering,
  ) {
    this.shares = Math.max(1, answering.threads);
    this.queuedSharesLimit = answering.queuedSharesLimit ?? 64;
    const workerData: MetricAnswerWorkerData = { databaseUrl: answering.databaseUrl };
    // Started by the first question and stopped after a while without one (a dashboard asks
    // every minute or so): an instance nobody asks keeps its memory, about 22 MiB a thread.
    this.threads =
      answering.threads === 0 ? null : new Piscina({ filename: ANSWER_WORKER, minThreads: 0, maxThreads: answering.threads, idleTimeout: ANSWER_THREAD_IDLE_MS, workerData });
  }

  /** The answer of `GET /v1/metrics` as its text: JSON, or CSV. */
  async metrics(tenantId: string, query: MetricsQuery, format: MetricsFormat): Promise<string> {
    const shares = query.groupBy ? this.shares : 1;
    if (this.threads && this.threads.queueSize + shares > this.queuedSharesLimit) {
      throw new ProblemException(503, 'Service Unavailable', 'too many metrics questions at once: ask again in a moment', [], { 'retry-after': '1' });
    }
    const tasks: MetricsShareTask[] = Array.from({ length: shares }, (_, share) => ({ tenantId, query, share, shares, format }));
    const answers: MetricsShare[] = await Promise.all(
      tasks.map((task) => (this.threads ? (this.threads.run(task) as Promise<MetricsShare>) : answerMetricsShare((sql, params) => this.dataSource.query(sql, params), task))),
    );
    return assembleMetrics(query, format, answers);
  }

  /** The worst finished clocks of a metric (met or cancelled): counted time beyond the target, most first. */
  async outliers(tenantId: string, metric: string, limit: number, range: { from?: number; to?: number }) {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT conversation_id, customer_id, cycle, policy, team, agent, channel, priority, verdict, on_time, breached,
              started_at, due_at, finished_at, counted_ms, target_ms, (counted_ms - target_ms) AS overrun_ms
         FROM sla.finished_clocks
        WHERE tenant_id = $1 AND metric = $2
          AND ($4::timestamptz IS NULL OR finished_at >= $4) AND ($5::timestamptz IS NULL OR finished_at < $5)
        ORDER BY (counted_ms - target_ms) DESC, finished_at, conversation_id LIMIT $3`,
      [tenantId, metric, limit, range.from === undefined ? null : iso(range.from), range.to === undefined ? null : iso(range.to)],
    );
    return {
      metric,
      items: rows.map((row) => ({
        conversationId: row.conversation_id,
        customerId: row.customer_id,
        cycle: row.cycle,
        policy: row.policy,
        team: row.team,
        agent: row.agent,
        channel: row.channel,
        priority: row.priority,
        verdict: row.verdict,
        onTime: row.on_time,
        breached: row.breached,
        startedAt: iso((row.started_at as Date).getTime()),
        dueAt: row.due_at ? iso((row.due_at as Date).getTime()) : null,
        finishedAt: iso((row.finished_at as Date).getTime()),
        countedMs: Number(row.counted_ms),
        targetMs: Number(row.target_ms),
        overrunMs: Number(row.overrun_ms),
        links: {
          conversation: `/v1/conversations/${encodeURIComponent(String(row.conversation_id))}`,
          customer: `/v1/customers/${encodeURIComponent(String(row.customer_id))}`,
        },
      })),
    };
  }

  /** After the HTTP server has stopped: the questions in flight are answered first. */
  async onApplicationShutdown(): Promise<void> {
    await this.threads?.close();
  }
}
