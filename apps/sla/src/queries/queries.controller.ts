import { Controller, Get, Header, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';

import { ApiKeyGuard, CurrentPrincipal, type Principal, RequireScope } from '@pw/identity';
import { ProblemException } from '@pw/platform';

import { METRIC_DIMENSIONS, METRIC_GRAINS } from '../metrics/metric-deltas';
import { ConversationQueriesService } from './conversation-queries.service';
import { MetricQueriesService, OUTLIER_METRICS } from './metric-queries.service';
import { checkId, durationParam, instantParam, limitParam, parseQuery } from './query-params';

const DAY = 86_400_000;

const atRiskQuery = z.object({
  within: durationParam.optional().transform((ms) => ms ?? 2 * 3_600_000),
  team: z.string().min(1).max(200).optional(),
  limit: limitParam(50, 500),
});

const metricsQuery = z
  .object({
    from: instantParam.optional(),
    to: instantParam.optional(),
    groupBy: z.enum(METRIC_DIMENSIONS).optional(),
    interval: z.enum(METRIC_GRAINS).optional().transform((grain) => grain ?? 'day'),
  })
  .transform((q) => {
    const to = q.to ?? Date.now();
    const from = q.from ?? to - (q.interval === 'hour' ? DAY : 30 * DAY);
    return { ...q, from, to };
  })
  .superRefine((q, ctx) => {
    if (q.from >= q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to' });
    // Bounds the answer's size: 31 days of hours, or about three years of days.
    const maxSpan = q.interval === 'hour' ? 31 * DAY : 1100 * DAY;
    if (q.to - q.from > maxSpan) ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${maxSpan / DAY} days after from for interval=${q.interval}` });
  });

const outliersQuery = z.object({
  metric: z.enum(OUTLIER_METRICS),
  limit: limitParam(20, 200),
  from: instantParam.optional(),
  to: instantParam.optional(),
});

/**
 * The questions of team leads and ops dashboards (scope `read`). Every answer is the caller's
 * tenant's: another tenant's ids are simply not found.
 */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class QueriesController {
  constructor(
    private readonly conversations: ConversationQueriesService,
    private readonly metricQueries: MetricQueriesService,
  ) {}

  @Get('conversations/:id')
  @RequireScope('read')
  conversation(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.conversations.conversation(principal.tenantId, checkId('id', id), Date.now());
  }

  @Get('conversations/:id/explain')
  @RequireScope('read')
  explain(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.conversations.explain(principal.tenantId, checkId('id', id), Date.now());
  }

  @Get('at-risk')
  @RequireScope('read')
  atRisk(@CurrentPrincipal() principal: Principal, @Query() query: unknown) {
    const q = parseQuery(atRiskQuery, query);
    return this.conversations.atRisk(principal.tenantId, { ...q, now: Date.now() });
  }

  @Get('customers/:id')
  @RequireScope('read')
  customer(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    return this.conversations.customer(principal.tenantId, checkId('id', id), Date.now());
  }

  @Get('metrics/outliers')
  @RequireScope('read')
  outliers(@CurrentPrincipal() principal: Principal, @Query() query: unknown) {
    const q = parseQuery(outliersQuery, query);
    return this.metricQueries.outliers(principal.tenantId, q.metric, q.limit, { from: q.from, to: q.to });
  }

  @Get('metrics')
  @RequireScope('read')
  @Header('Vary', 'Accept')
  async metrics(@CurrentPrincipal() principal: Principal, @Query() query: unknown, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const q = parseQuery(metricsQuery, query);
    const wanted = request.accepts(['application/json', 'text/csv']);
    if (wanted === false) throw new ProblemException(406, 'Not Acceptable', 'the metrics are served as application/json or text/csv');
    const format = wanted === 'text/csv' ? 'csv' : 'json';
    // The answer comes as its text, rendered on the answering threads.
    const text = await this.metricQueries.metrics(principal.tenantId, { from: q.from, to: q.to, groupBy: q.groupBy ?? null, interval: q.interval }, format);
    response.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
    return text;
  }
}
