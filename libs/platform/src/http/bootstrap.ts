import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';

import { EnvironmentConfigError } from '../config/env.util';

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
