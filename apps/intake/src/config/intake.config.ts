import { z } from 'zod';

import { commonEnvironmentShape, env, type CommonConfig, mapCommonConfig, parseEnvironment } from '@pw/platform';

/**
 * Test-only crash points (docs/operations.md). `kill-after-commit`: the process kills itself
 * once a request's events are committed with their outbox rows, before answering;
 * `kill-after-publish`: the same, but only once the relay has published them to Kafka.
 */
export const FAULT_INJECTIONS = ['none', 'kill-after-commit', 'kill-after-publish'] as const;
export type FaultInjection = (typeof FAULT_INJECTIONS)[number];

const intakeEnvironment = z.object({
  ...commonEnvironmentShape,
  INTAKE_PORT: env.port(3001),
  INTAKE_MAX_BATCH: env.positiveInt(1000),
  /** Consume interactions.v1 (the Kafka door); off for an HTTP-only instance. */
  INTAKE_KAFKA_DOOR: env.boolean(true),
  /** Redis for the per-tenant rate limit, shared by every intake instance. */
  INTAKE_RATE_LIMIT: env.boolean(true),
  INTAKE_FAULT_INJECTION: z.enum(FAULT_INJECTIONS).default('none'),
});

export interface IntakeConfig extends CommonConfig {
  http: { port: number };
  ingest: { maxBatch: number; maxBodyBytes: number };
  kafkaDoor: { enabled: boolean };
  rateLimit: { enabled: boolean };
  faultInjection: FaultInjection;
}

export function loadIntakeConfig(source: Record<string, string | undefined>): IntakeConfig {
  const parsed = parseEnvironment(intakeEnvironment, source);
  return {
    ...mapCommonConfig('intake', parsed),
    http: { port: parsed.INTAKE_PORT },
    ingest: { maxBatch: parsed.INTAKE_MAX_BATCH, maxBodyBytes: 1024 * 1024 },
    kafkaDoor: { enabled: parsed.INTAKE_KAFKA_DOOR },
    rateLimit: { enabled: parsed.INTAKE_RATE_LIMIT },
    faultInjection: parsed.INTAKE_FAULT_INJECTION,
  };
}
