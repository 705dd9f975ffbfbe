import { z } from 'zod';

import { commonEnvironmentShape, env, type CommonConfig, mapCommonConfig, parseEnvironment } from '@pw/platform';

const notifierEnvironment = z.object({
  ...commonEnvironmentShape,
  NOTIFIER_PORT: env.port(3003),
  /** Comma-separated hosts that may be webhook targets over plain http or on private addresses. */
  NOTIFIER_WEBHOOK_ALLOW_HOSTS: z.string().default(''),
  NOTIFIER_DELIVERY_CONCURRENCY: env.positiveInt(50),
  NOTIFIER_DELIVERY_TIMEOUT_MS: env.positiveInt(10_000),
  NOTIFIER_QUEUE_PREFIX: z.string().regex(/^[\w-]+$/).default('pw'),
});

export interface NotifierConfig extends CommonConfig {
  http: { port: number };
  delivery: { allowHosts: string[]; concurrency: number; timeoutMs: number };
  queue: { prefix: string };
  /** The environment, only for `${NAME}` placeholders of tenant documents (contact secrets). */
  secrets: Record<string, string | undefined>;
}

export function loadNotifierConfig(source: Record<string, string | undefined>): NotifierConfig {
  const parsed = parseEnvironment(notifierEnvironment, source);
  return {
    ...mapCommonConfig('notifier', parsed),
    http: { port: parsed.NOTIFIER_PORT },
    delivery: {
      allowHosts: parsed.NOTIFIER_WEBHOOK_ALLOW_HOSTS.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
      concurrency: parsed.NOTIFIER_DELIVERY_CONCURRENCY,
      timeoutMs: parsed.NOTIFIER_DELIVERY_TIMEOUT_MS,
    },
    queue: { prefix: parsed.NOTIFIER_QUEUE_PREFIX },
    secrets: source,
  };
}
