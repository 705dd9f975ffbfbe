import { Injectable, Logger } from '@nestjs/common';

import { formatProblem } from '@pw/contracts';
import { compileEngineConfig, SlaEngine } from '@pw/sla-engine';

import { TenantConfigService } from '../tenant-config/tenant-config.service';

/**
 * One compiled engine per tenant and configuration version (calendars precomputed once).
 * A batch asks for all its tenants at once: one query for their current versions, so that a
 * version stored through another instance applies from the next batch on.
 */
@Injectable()
export class EngineRegistry {
  private readonly logger = new Logger('EngineRegistry');
  private readonly engines = new Map<string, { version: number; engine: SlaEngine | null }>();
  private readonly versions = new WeakMap<SlaEngine, number>();

  constructor(private readonly configs: TenantConfigService) {}

  async enginesFor(tenantIds: Iterable<string>): Promise<Map<string, SlaEngine>> {
    const wanted = [...new Set(tenantIds)];
    const result = new Map<string, SlaEngine>();
    if (wanted.length === 0) return result;
    const versions = await this.configs.currentVersions(wanted);
    for (const tenantId of wanted) {
      const version = versions.get(tenantId);
      if (version === undefined) continue;
      const engine = await this.engineAt(tenantId, version);
      if (engine) result.set(tenantId, engine);
    }
    return result;
  }

  async engineFor(tenantId: string): Promise<SlaEngine | undefined> {
    return (await this.enginesFor([tenantId])).get(tenantId);
  }

  /** The configuration version an engine of this registry was compiled from. */
  versionOf(engine: SlaEngine): number | undefined {
    return this.versions.get(engine);
  }

  /** The engine of one version (replay); the latest one asked for stays cached per tenant. */
  async engineAt(tenantId: string, version: number): Promise<SlaEngine | null> {
    const cached = this.engines.get(tenantId);
    if (cached && cached.version === version) return cached.engine;
    const document = await this.configs.version(tenantId, version);
    let engine: SlaEngine | null = null;
    if (document) {
      const compiled = compileEngineConfig(document);
      if (compiled.ok) {
        engine = new SlaEngine(tenantId, compiled.config);
        this.versions.set(engine, version);
      }
      else this.logger.warn(`tenant ${tenantId} configuration version ${version} does not compile: ${compiled.problems.map(formatProblem).join('; ')}`);
    } else {
      // Stored valid, but a `${NAME}` placeholder it uses is not set in this instance's environment.
      this.logger.warn(`tenant ${tenantId} configuration version ${version} is not valid in this environment`);
    }
    this.engines.set(tenantId, { version, engine });
    return engine;
  }
}
