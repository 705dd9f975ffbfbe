import { z } from 'zod';

import { commonEnvironmentShape, env, type CommonConfig, mapCommonConfig, parseEnvironment } from '@pw/platform';

const intakeEnvironment = z.object({
  ...commonEnvironmentShape,
  INTAKE_PORT: env.port(3001),
  INTAKE_MAX_BATCH: env.positiveInt(1000),
});

export interface IntakeConfig extends CommonConfig {
  http: { port: number };
  ingest: { maxBatch: number; maxBodyBytes: number };
}

export function loadIntakeConfig(source: Record<string, string | undefined>): IntakeConfig {
  const parsed = parseEnvironment(intakeEnvironment, source);
  return {
    ...mapCommonConfig('intake', parsed),
    http: { port: parsed.INTAKE_PORT },
    ingest: { maxBatch: parsed.INTAKE_MAX_BATCH, maxBodyBytes: 1024 * 1024 },
  };
}
