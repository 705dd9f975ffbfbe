import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';

import { ApiKeyGuard, CurrentPrincipal, type Principal, RequireScope } from '@pw/identity';
import { APP_CONFIG } from '@pw/platform';

import type { IntakeConfig } from '../config/intake.config';
import { type IngestResult, InteractionsService } from './interactions.service';

@Controller('v1/interactions')
@UseGuards(ApiKeyGuard)
export class InteractionsController {
  constructor(
    private readonly interactions: InteractionsService,
    @Inject(APP_CONFIG) private readonly config: IntakeConfig,
  ) {}

  /** One event or an array of up to 1,000; 202 once they are durable. */
  @Post()
  @HttpCode(202)
  @RequireScope('ingest')
  ingest(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<IngestResult> {
    return this.interactions.ingest(principal, body, this.config.ingest.maxBatch, new Date());
  }
}
