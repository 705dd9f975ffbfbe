import { z } from 'zod';

import { env } from './env.util';

/** Variables every service reads: where its dependencies are and how it logs. */
export const commonEnvironmentShape = {
  DATABASE_URL: env.url(['postgres', 'postgresql'], 'postgres://postgres@127.0.0.1:5432/postgres'),
  REDIS_URL: env.url(['redis', 'rediss'], 'redis://127.0.0.1:6379'),
  KAFKA_BROKERS: env.brokers('127.0.0.1:9092'),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  LOG_LEVEL: env.logLevel(),
  LOG_PRETTY: env.boolean(false),
};

export interface CommonConfig {
  db: { url: string };
  redis: { url: string };
  kafka: { brokers: string[]; clientId: string };
  log: { level: string; pretty: boolean };
}

export function mapCommonConfig(
  serviceName: string,
  parsed: { DATABASE_URL: string; REDIS_URL: string; KAFKA_BROKERS: string[]; KAFKA_CLIENT_ID?: string; LOG_LEVEL: string; LOG_PRETTY: boolean },
): CommonConfig {
  return {
    db: { url: parsed.DATABASE_URL },
    redis: { url: parsed.REDIS_URL },
    kafka: { brokers: parsed.KAFKA_BROKERS, clientId: parsed.KAFKA_CLIENT_ID ?? serviceName },
    log: { level: parsed.LOG_LEVEL, pretty: parsed.LOG_PRETTY },
  };
}
