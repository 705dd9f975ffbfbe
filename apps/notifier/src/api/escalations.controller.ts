import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';

import { ApiKeyGuard, CurrentPrincipal, type Principal, RequireScope } from '@pw/identity';
import { limitParam, parseQuery, ProblemException } from '@pw/platform';

import { DeliveriesService } from '../deliveries/deliveries.service';
import { EscalationsService } from '../escalations/escalations.service';
import { EscalationQueriesService } from './escalation-queries.service';

const listQuery = z.strictObject({
  state: z.enum(['open', 'acknowledged', 'resolved']).optional(),
  limit: limitParam(100, 1000),
});

const deliveriesQuery = z.strictObject({
  status: z.enum(['pending', 'delivered', 'dead', 'cancelled']).optional(),
  limit: limitParam(100, 1000),
});

const acknowledgeBody = z.strictObject({
  by: z.string().trim().min(1, 'say who acknowledges').max(200),
  note: z.string().max(2000).optional(),
});

const notFound = () => new ProblemException(404, 'Not Found', 'no such escalation for this tenant');

/** Escalations and their deliveries, for the caller's tenant only: another tenant's ids are not found. */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class EscalationsController {
  constructor(
    private readonly queries: EscalationQueriesService,
    private readonly escalations: EscalationsService,
    private readonly deliveries: DeliveriesService,
  ) {}

  @Get('escalations')
  @RequireScope('read')
  async list(@CurrentPrincipal() principal: Principal, @Query() query: unknown) {
    const { state, limit } = parseQuery(listQuery, query);
    return { escalations: await this.queries.list(principal.tenantId, state, limit) };
  }

  @Get('escalations/:id')
  @RequireScope('read')
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    const escalation = await this.queries.get(principal.tenantId, id);
    if (!escalation) throw notFound();
    return escalation;
  }

  @Post('escalations/:id/acknowledge')
  @HttpCode(200)
  @RequireScope('respond')
  async acknowledge(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown) {
    const input = parseQuery(acknowledgeBody, body, 'the body');
    if (!this.queries.isId(id)) throw notFound();
    const result = await this.escalations.acknowledge(principal.tenantId, id, input.by, input.note, new Date());
    if (result === 'unknown') throw notFound();
    if (result === 'resolved') throw new ProblemException(409, 'Conflict', 'the escalation is already resolved: its cause is over');
    return { ...(await this.queries.get(principal.tenantId, id))!, alreadyAcknowledged: result === 'already' };
  }

  @Get('deliveries')
  @RequireScope('read')
  async listDeliveries(@CurrentPrincipal() principal: Principal, @Query() query: unknown) {
    const { status, limit } = parseQuery(deliveriesQuery, query);
    return { deliveries: await this.queries.deliveries(principal.tenantId, status, limit) };
  }

  @Post('deliveries/:id/redeliver')
  @HttpCode(202)
  @RequireScope('respond')
  async redeliver(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    if (!this.queries.isId(id)) throw new ProblemException(404, 'Not Found', 'no such delivery for this tenant');
    const result = await this.deliveries.redeliver(principal.tenantId, id);
    if (result === 'unknown') throw new ProblemException(404, 'Not Found', 'no such delivery for this tenant');
    if (result === 'not-dead') throw new ProblemException(409, 'Conflict', 'only a dead or cancelled delivery can be redelivered');
    return { id, status: 'pending' };
  }
}
