import { Body, Controller, Get, HttpCode, Post, Put, UseGuards } from '@nestjs/common';

import { ApiKeyGuard, CurrentPrincipal, type Principal, RequireScope } from '@pw/identity';
import { ProblemException } from '@pw/platform';

import { redactSecrets, TenantConfigService } from './tenant-config.service';

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body && typeof body === 'object' && Object.keys(body).length > 0) return JSON.stringify(body);
  throw new ProblemException(400, 'Bad Request', 'send the configuration as YAML (application/yaml) or JSON', [{ field: '(body)', reason: 'empty' }]);
}

@Controller('v1/config')
@UseGuards(ApiKeyGuard)
export class TenantConfigController {
  constructor(private readonly configs: TenantConfigService) {}

  @Put()
  @RequireScope('admin')
  async put(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<{ version: number }> {
    const checked = this.configs.check(bodyText(body));
    if (!checked.ok) throw this.invalid(checked.problems);
    return { version: await this.configs.store(principal.tenantId, checked.raw) };
  }

  @Post('validate')
  @HttpCode(200)
  @RequireScope('admin')
  validate(@Body() body: unknown): { valid: true } {
    const checked = this.configs.check(bodyText(body));
    if (!checked.ok) throw this.invalid(checked.problems);
    return { valid: true };
  }

  @Get()
  @RequireScope('admin')
  async get(@CurrentPrincipal() principal: Principal): Promise<{ version: number; document: unknown }> {
    const latest = await this.configs.latestRaw(principal.tenantId);
    if (!latest) throw new ProblemException(404, 'Not Found', 'this tenant has no configuration yet');
    return { version: latest.version, document: redactSecrets(latest.document) };
  }

  private invalid(problems: Array<{ path: string; message: string }>): ProblemException {
    return new ProblemException(
      400,
      'Bad Request',
      'the configuration is invalid; nothing was stored',
      problems.map((problem) => ({ field: problem.path || '(document)', reason: problem.message })),
    );
  }
}
