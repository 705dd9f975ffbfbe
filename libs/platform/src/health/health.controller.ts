import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';

import { HEALTH_INDICATORS, type HealthIndicator } from './health.types';

const CHECK_TIMEOUT_MS = 2000;

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

@Controller('health')
export class HealthController {
  constructor(@Inject(HEALTH_INDICATORS) private readonly indicators: HealthIndicator[]) {}

  /** The process is up and its event loop answers. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Every real dependency answers; 503 with the failing ones otherwise. */
  @Get('ready')
  // `status(code)` is both Express's response and Fastify's reply.
  async ready(@Res({ passthrough: true }) res: { status(code: number): unknown }): Promise<{ status: string; checks: Record<string, unknown> }> {
    const results = await Promise.all(
      this.indicators.map(async (indicator) => {
        try {
          await withTimeout(indicator.check(), CHECK_TIMEOUT_MS);
          return [indicator.name, { status: 'up' }] as const;
        } catch (error) {
          return [indicator.name, { status: 'down', error: (error as Error).message }] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results);
    const up = results.every(([, result]) => result.status === 'up');
    res.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: up ? 'ok' : 'unavailable', checks };
  }
}
