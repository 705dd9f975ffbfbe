import os from 'node:os';

import { z } from 'zod';

import { commonEnvironmentShape, env, type CommonConfig, mapCommonConfig, parseEnvironment } from '@pw/platform';

/**
 * Crash points for the crash tests only: the process kills itself (SIGKILL, as `kill -9`) at
 * the SLA_FAULT_AT-th occurrence: inside a batch's or a timer round's transaction once all
 * its writes are sent (before COMMIT), or right after the COMMIT (before the Kafka offsets
 * are committed, or before the outbox relay is woken), or between the relay's send to Kafka
 * and its DELETE of the rows sent.
 */
export const SLA_FAULT_INJECTIONS = ['none', 'kill-in-batch', 'kill-after-batch', 'kill-in-timer-round', 'kill-after-timer-round', 'kill-after-publish'] as const;
export type SlaFaultInjection = (typeof SLA_FAULT_INJECTIONS)[number];

const slaEnvironment = z.object({
  ...commonEnvironmentShape,
  SLA_PORT: env.port(3002),
  /** Longest wait between two looks at the timer index (other instances' timers). */
  SLA_TIMER_POLL_MS: env.positiveInt(200),
  SLA_TIMER_BATCH: env.positiveInt(500),
  /**
   * Bearer token Prometheus sends to `GET /metrics`. The exposition carries every tenant's
   * figures (labelled by tenant id), so without a token it is served to loopback callers only.
   */
  SLA_METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /**
   * How long the group waits for a silent instance before its partitions go to the others
   * (Kafka's session timeout; the broker accepts 6,000 to 300,000 ms).
   */
  SLA_CONSUMER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
  /** Partitions whose batches one instance handles at the same time. */
  SLA_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(32).default(1),
  /** Pause between two folds of counters and sketch bins into packed cells (metric-sketches.ts), when the last found little to do. */
  SLA_SKETCH_FOLD_INTERVAL_MS: env.positiveInt(2_000),
  /** Bin rows, and counter rows, one fold moves at most, in one transaction. */
  SLA_SKETCH_FOLD_BATCH: env.positiveInt(20_000),
  /**
   * Threads that compute metrics answers, off the event loop; a grouped answer is split
   * between them by group. 0 computes them on the event loop.
   */
  SLA_METRICS_THREADS: z.coerce.number().int().min(0).max(16).default(Math.min(2, os.availableParallelism())),
  SLA_FAULT_INJECTION: z.enum(SLA_FAULT_INJECTIONS).default('none'),
  SLA_FAULT_AT: env.positiveInt(1),
});

export interface SlaConfig extends CommonConfig {
  http: { port: number };
  timers: { pollMs: number; batchSize: number };
  metrics: { scrapeToken: string | undefined; answerThreads: number };
  consumer: { sessionTimeoutMs: number; partitionsConcurrently: number };
  sketchFold: { intervalMs: number; batchSize: number };
  fault: { injection: SlaFaultInjection; at: number };
  /** The environment, only for `${NAME}` placeholders of tenant documents. */
  secrets: Record<string, string | undefined>;
}

export function loadSlaConfig(source: Record<string, string | undefined>): SlaConfig {
  const parsed = parseEnvironment(slaEnvironment, source);
  return {
    ...mapCommonConfig('sla', parsed),
    http: { port: parsed.SLA_PORT },
    timers: { pollMs: parsed.SLA_TIMER_POLL_MS, batchSize: parsed.SLA_TIMER_BATCH },
    metrics: { scrapeToken: parsed.SLA_METRICS_TOKEN, answerThreads: parsed.SLA_METRICS_THREADS },
    consumer: { sessionTimeoutMs: parsed.SLA_CONSUMER_SESSION_TIMEOUT_MS, partitionsConcurrently: parsed.SLA_PARTITIONS_CONCURRENTLY },
    sketchFold: { intervalMs: parsed.SLA_SKETCH_FOLD_INTERVAL_MS, batchSize: parsed.SLA_SKETCH_FOLD_BATCH },
    fault: { injection: parsed.SLA_FAULT_INJECTION, at: parsed.SLA_FAULT_AT },
    secrets: source,
  };
}
