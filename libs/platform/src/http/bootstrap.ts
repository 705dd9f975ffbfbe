import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

import { EnvironmentConfigError } from '../config/env.util';
import { CORRELATION_HEADER, correlationIdFor } from '../logging/logging.module';

/**
 * CPU_PROFILE=FILE: a V8 CPU profile of the whole run, written when the service stops
 * (SIGTERM); for finding where a benchmark's time goes. Open it in Chrome DevTools.
 */
async function profileCpuIfAsked(app: INestApplication): Promise<void> {
  const file = process.env['CPU_PROFILE'];
  if (!file) return;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const server = app.getHttpServer() as { once(event: 'close', listener: () => void): void };
  server.once('close', () => {
    void session.post('Profiler.stop').then(({ profile }) => writeFileSync(file, JSON.stringify(profile)));
  });
}

/** Fastify names each request by its correlation id, as the request logger does on Express. */
function fastifyAdapter(): FastifyAdapter {
  const adapter = new FastifyAdapter({ genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => correlationIdFor(req.headers), requestIdHeader: false });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header(CORRELATION_HEADER, request.id);
    done();
  });
  return adapter;
}

/**
 * Starts an HTTP service: buffered start-up logs flushed through pino, shutdown hooks so
 * SIGTERM/SIGINT close consumers, queues and pools, and a clear one-line exit when the
 * environment is invalid.
 *
 * On Express unless `http: 'fastify'`: the intake, whose door takes every event of every
 * publisher, runs on Fastify, which costs a third of Express's CPU per request under
 * NestJS (docs/benchmarks.md); the others keep Express's ecosystem (text bodies, CSV).
 */
export async function bootstrapHttpService(
  name: string,
  module: Type<unknown>,
  port: (app: INestApplication) => number,
  configure?: (app: INestApplication) => void | Promise<void>,
  options: { http?: 'express' | 'fastify' } = {},
): Promise<INestApplication> {
  try {
    const appOptions = { bufferLogs: true, bodyParser: false, abortOnError: false };
    const app =
      options.http === 'fastify'
        ? await NestFactory.create(module, fastifyAdapter(), appOptions)
        : await NestFactory.create(module, appOptions);
    await profileCpuIfAsked(app);
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks();
    if (configure) await configure(app);
    const listenPort = port(app);
    await app.listen(listenPort, '0.0.0.0');
    app.get(Logger).log(`${name} listening on :${listenPort}`);
    return app;
  } catch (error) {
    if (error instanceof EnvironmentConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
