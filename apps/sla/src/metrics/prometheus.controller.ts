import { timingSafeEqual } from 'node:crypto';

import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import { APP_CONFIG, ProblemException } from '@pw/platform';

import type { SlaConfig } from '../config/sla.config';
import { SlaPrometheus } from './sla-prometheus.service';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Prometheus scrape endpoint; cross-tenant by nature, so an operator's, not a tenant key's. */
@Controller('metrics')
export class PrometheusController {
  constructor(
    private readonly prometheus: SlaPrometheus,
    @Inject(APP_CONFIG) private readonly config: SlaConfig,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<string> {
    const token = this.config.metrics.scrapeToken;
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const allowed = token ? given !== undefined && sameSecret(given, token) : LOOPBACK.has(request.socket.remoteAddress ?? '');
    if (!allowed) {
      throw new ProblemException(401, 'Unauthorized', token ? 'send the scrape token as a Bearer token' : 'served to loopback only unless SLA_METRICS_TOKEN is set');
    }
    response.type(this.prometheus.registry.contentType);
    return this.prometheus.registry.metrics();
  }
}
