import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';

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
