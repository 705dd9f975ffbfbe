import { z } from 'zod';

import { commonEnvironmentShape, env, type CommonConfig, mapCommonConfig, parseEnvironment } from '@pw/platform';

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
});

export interface SlaConfig extends CommonConfig {
  http: { port: number };
  timers: { pollMs: number; batchSize: number };
  metrics: { scrapeToken: string | undefined };
  /** The environment, only for `${NAME}` placeholders of tenant documents. */
  secrets: Record<string, string | undefined>;
}

export function loadSlaConfig(source: Record<string, string | undefined>): SlaConfig {
  const parsed = parseEnvironment(slaEnvironment, source);
  return {
    ...mapCommonConfig('sla', parsed),
    http: { port: parsed.SLA_PORT },
    timers: { pollMs: parsed.SLA_TIMER_POLL_MS, batchSize: parsed.SLA_TIMER_BATCH },
    metrics: { scrapeToken: parsed.SLA_METRICS_TOKEN },
    secrets: source,
  };
}
