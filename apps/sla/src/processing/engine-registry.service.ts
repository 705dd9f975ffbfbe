import { Injectable } from '@nestjs/common';

import { compileEngineConfig, SlaEngine } from '@pw/sla-engine';

import { TenantConfigService } from '../tenant-config/tenant-config.service';

/** One compiled engine per tenant and configuration version (calendars precomputed once). */
@Injectable()
export class EngineRegistry {
  private readonly engines = new Map<string, { version: number; engine: SlaEngine }>();

  constructor(private readonly configs: TenantConfigService) {}

  async engineFor(tenantId: string): Promise<SlaEngine | undefined> {
    const current = await this.configs.current(tenantId);
    if (!current) return undefined;
    const cached = this.engines.get(tenantId);
    if (cached && cached.version === current.version) return cached.engine;
    const compiled = compileEngineConfig(current.document);
    if (!compiled.ok) return undefined;
    const engine = new SlaEngine(tenantId, compiled.config);
    this.engines.set(tenantId, { version: current.version, engine });
    return engine;
  }
}
