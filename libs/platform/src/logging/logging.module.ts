import { randomUUID } from 'node:crypto';

import type { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

export const CORRELATION_HEADER = 'x-correlation-id';

/** Paths that may carry secrets; pino replaces them before a line is written. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.secret',
  '*.apiKey',
  '*.password',
];

/** The caller's correlation id when it sends a sane one, a new one otherwise. */
export function correlationIdFor(headers: Record<string, string | string[] | undefined>): string {
  const given = headers[CORRELATION_HEADER];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
}

export interface LoggingOptions {
  service: string;
  version: string;
}

export interface LogSettings {
  level: string;
  pretty: boolean;
}

/**
 * Structured JSON logs: service name and version on every line, a correlation id per
 * request (taken from the caller's header when given), secrets redacted, health checks
 * not logged. Pretty output only when asked for (local runs).
 */
export function loggingModule<C>(options: LoggingOptions, settings: (config: C) => LogSettings, inject: unknown[]): DynamicModule {
  return LoggerModule.forRootAsync({
    inject: inject as never[],
    useFactory: (config: C) => {
      const { level, pretty } = settings(config);
      return {
    pinoHttp: {
      level,
      base: { service: options.service, version: options.version },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // On Fastify the request already has its id (bootstrapHttpService gives it the same one).
      genReqId: (req, res) => {
        const id = correlationIdFor(req.headers);
        res.setHeader(CORRELATION_HEADER, id);
        return id;
      },
      customAttributeKeys: { reqId: 'correlationId' },
      autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
      transport: pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
    },
      };
    },
  });
}
