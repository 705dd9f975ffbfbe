import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { FastifyInstance } from 'fastify';

import { ProblemException } from './problem-details.filter';

/**
 * JSON bodies with an explicit size limit; a malformed or too-large body is answered as
 * problem+json here, since body parsing runs before Nest's exception filters.
 * The raw bytes are kept (`req.rawBody`) for signature checks.
 */
export function useJsonBodies(app: INestApplication, limitBytes: number): void {
  const server = app.getHttpAdapter().getInstance() as express.Express;
  server.use(
    express.json({
      limit: limitBytes,
      type: ['application/json', 'application/*+json'],
      verify: (req, _res, buffer) => {
        (req as Request & { rawBody?: Buffer }).rawBody = buffer;
      },
    }),
  );
  server.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (!error || !error.status) return next(error);
    const status = error.type === 'entity.too.large' ? 413 : error.status;
    const detail =
      status === 413 ? `the body is larger than ${limitBytes} bytes` : error.type === 'entity.parse.failed' ? 'the body is not valid JSON' : error.message;
    const title = status === 413 ? 'Content Too Large' : 'Bad Request';
    res.status(status).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', title, status, detail }));
  });
}

/** How much of an oversized body is read (and dropped) before the connection is cut. */
const DRAIN_FACTOR = 16;

/**
 * The same for a service on Fastify: JSON (`application/json` and `application/*+json`, such
 * as CloudEvents) up to `limitBytes`, and no other body type (Fastify answers 415). A body over
 * the limit is read to its end and dropped before the 413 leaves (up to 16 times the limit):
 * answering while the client is still sending would close the connection under it, and the
 * client would see a broken pipe instead of the 413 (what Express's body parser does too).
 */
export function useFastifyJsonBodies(app: INestApplication, limitBytes: number): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(/^application\/([\w.-]+\+)?json/, (request, payload, done) => {
    const chunks: Buffer[] = [];
    let length = 0;
    payload.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= limitBytes) chunks.push(chunk);
      else if (length > limitBytes * DRAIN_FACTOR) payload.destroy();
    });
    payload.on('error', (error) => done(error, undefined));
    payload.on('end', () => {
      if (length > limitBytes) {
        done(new ProblemException(413, 'Content Too Large', `the body is larger than ${limitBytes} bytes`), undefined);
        return;
      }
      const body = Buffer.concat(chunks);
      (request as { rawBody?: Buffer }).rawBody = body;
      try {
        done(null, JSON.parse(body.toString('utf8')));
      } catch {
        done(new ProblemException(400, 'Bad Request', 'the body is not valid JSON'), undefined);
      }
    });
  });
}
