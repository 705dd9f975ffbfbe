import { z } from 'zod';

import { parseDuration } from '@pw/contracts';
import { commonEnvironmentShape, env, type CommonConfig, mapCommonConfig, parseEnvironment } from '@pw/platform';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((value) => (parseDuration(value) ?? 0) > 0, 'must be a duration like 24h or 90s')
    .transform((value) => parseDuration(value)!);

const notifierEnvironment = z.object({
  ...commonEnvironmentShape,
  NOTIFIER_PORT: env.port(3003),
  /** Where people reach this API: the links in notifications (acknowledge, details). */
  NOTIFIER_PUBLIC_URL: z.string().url().optional(),
  /** The sla service's public URL, for the conversation link in notifications. */
  SLA_PUBLIC_URL: z.string().url().optional(),
  /** Comma-separated hosts that may be webhook targets over plain http or on private addresses. */
  NOTIFIER_WEBHOOK_ALLOW_HOSTS: z.string().default(''),
  NOTIFIER_DELIVERY_CONCURRENCY: env.positiveInt(50),
  NOTIFIER_DELIVERY_TIMEOUT_MS: env.positiveInt(10_000),
  /** How long a failing delivery is retried before it becomes a dead letter. */
  NOTIFIER_DELIVERY_RETRY_WINDOW: duration('24h'),
  /** The first retry waits up to this, doubling each time up to the cap (full jitter). */
  NOTIFIER_DELIVERY_BACKOFF_MS: env.positiveInt(1_000),
  NOTIFIER_DELIVERY_BACKOFF_CAP_MS: env.positiveInt(3_600_000),
  /** A job whose worker died is handed to another after this (BullMQ lock duration). */
  NOTIFIER_JOB_LOCK_MS: env.positiveInt(30_000),
  /** How often PostgreSQL's outstanding work is re-checked against Redis's jobs. */
  NOTIFIER_RECONCILE_MS: env.positiveInt(60_000),
  /** SMTP for e-mail contacts (smtp:// or smtps://, credentials in the URL); unset: e-mail deliveries fail as dead letters. */
  NOTIFIER_SMTP_URL: env.url(['smtp', 'smtps'], 'smtp://127.0.0.1:25').optional(),
  NOTIFIER_MAIL_FROM: z.string().default('Promise Watch <escalations@promise-watch.invalid>'),
  /** How soon a dead instance's partitions go to another (Kafka consumer session timeout). */
  NOTIFIER_CONSUMER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
  NOTIFIER_QUEUE_PREFIX: z.string().regex(/^[\w-]+$/).default('pw'),
});

export interface NotifierConfig extends CommonConfig {
  http: { port: number; publicUrl: string; slaPublicUrl: string | undefined };
  delivery: {
    allowHosts: string[];
    concurrency: number;
    timeoutMs: number;
    retryWindowMs: number;
    backoffMs: number;
    backoffCapMs: number;
  };
  mail: { smtpUrl: string | undefined; from: string };
  queue: { prefix: string; lockMs: number; reconcileMs: number };
  consumer: { sessionTimeoutMs: number };
  /** The environment, only for `${NAME}` placeholders of tenant documents (contact secrets). */
  secrets: Record<string, string | undefined>;
}

export function loadNotifierConfig(source: Record<string, string | undefined>): NotifierConfig {
  const parsed = parseEnvironment(notifierEnvironment, { ...source, NOTIFIER_SMTP_URL: source['NOTIFIER_SMTP_URL'] || undefined });
  return {
    ...mapCommonConfig('notifier', parsed),
    http: {
      port: parsed.NOTIFIER_PORT,
      publicUrl: (parsed.NOTIFIER_PUBLIC_URL ?? `http://localhost:${parsed.NOTIFIER_PORT}`).replace(/\/$/, ''),
      slaPublicUrl: parsed.SLA_PUBLIC_URL?.replace(/\/$/, ''),
    },
    delivery: {
      allowHosts: parsed.NOTIFIER_WEBHOOK_ALLOW_HOSTS.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
      concurrency: parsed.NOTIFIER_DELIVERY_CONCURRENCY,
      timeoutMs: parsed.NOTIFIER_DELIVERY_TIMEOUT_MS,
      retryWindowMs: parsed.NOTIFIER_DELIVERY_RETRY_WINDOW,
      backoffMs: parsed.NOTIFIER_DELIVERY_BACKOFF_MS,
      backoffCapMs: parsed.NOTIFIER_DELIVERY_BACKOFF_CAP_MS,
    },
    mail: { smtpUrl: parsed.NOTIFIER_SMTP_URL, from: parsed.NOTIFIER_MAIL_FROM },
    queue: { prefix: parsed.NOTIFIER_QUEUE_PREFIX, lockMs: parsed.NOTIFIER_JOB_LOCK_MS, reconcileMs: parsed.NOTIFIER_RECONCILE_MS },
    consumer: { sessionTimeoutMs: parsed.NOTIFIER_CONSUMER_SESSION_TIMEOUT_MS },
    secrets: source,
  };
}
