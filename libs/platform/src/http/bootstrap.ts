import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';

import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

import { EnvironmentConfigError } from '../config/env.util';

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

/**
 * Starts an HTTP service: buffered start-up logs flushed through pino, shutdown hooks so
 * SIGTERM/SIGINT close consumers, queues and pools, and a clear one-line exit when the
 * environment is invalid.
 */
export async function bootstrapHttpService(
  name: string,
  module: Type<unknown>,
  port: (app: INestApplication) => number,
  configure?: (app: INestApplication) => void | Promise<void>,
): Promise<INestApplication> {
  try {
    const app = await NestFactory.create(module, { bufferLogs: true, bodyParser: false, abortOnError: false });
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
