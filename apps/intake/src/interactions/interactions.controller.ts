import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';

import { ApiKeyGuard, CurrentPrincipal, type Principal, RequireScope } from '@pw/identity';

import { type IngestResult, InteractionsService } from './interactions.service';
import { INGEST_REQUEST_SCHEMA, INGEST_RESULT_SCHEMA, PROBLEM_SCHEMA } from './interactions.openapi';

@ApiTags('interactions')
@ApiBearerAuth()
@Controller('v1/interactions')
@UseGuards(ApiKeyGuard)
export class InteractionsController {
  constructor(private readonly interactions: InteractionsService) {}

  @Post()
  @HttpCode(202)
  @RequireScope('ingest')
  @ApiOperation({
    summary: 'Publish interaction events',
    description:
      'One event (events.md, or a CloudEvents 1.0 envelope around one) or an array of up to 1,000, at most 1 MiB. ' +
      'Answered 202 once the events are committed with an outbox that publishes them to interactions.accepted.v1. ' +
      'Deduplicated by (tenant, source, id): a retry counts as a duplicate, whichever door the first copy took.',
  })
  @ApiBody({ schema: INGEST_REQUEST_SCHEMA })
  @ApiResponse({ status: 202, description: 'Accepted: how many were new and how many were duplicates.', schema: INGEST_RESULT_SCHEMA })
  @ApiResponse({ status: 400, description: 'Not valid JSON, or bad items (each listed by index, field and reason); nothing was accepted.', schema: PROBLEM_SCHEMA })
  @ApiResponse({ status: 401, description: 'Missing, unknown or revoked API key.', schema: PROBLEM_SCHEMA })
  @ApiResponse({ status: 403, description: 'The key lacks the ingest scope.', schema: PROBLEM_SCHEMA })
  @ApiResponse({ status: 413, description: 'The body is larger than 1 MiB.', schema: PROBLEM_SCHEMA })
  @ApiResponse({ status: 415, description: 'The body is not JSON.', schema: PROBLEM_SCHEMA })
  @ApiResponse({ status: 429, description: "Over the tenant's rate limit (events per second); see Retry-After.", schema: PROBLEM_SCHEMA })
  ingest(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<IngestResult> {
    return this.interactions.ingest(principal, body, new Date());
  }
}
