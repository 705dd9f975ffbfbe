import 'reflect-metadata';

import { type LoggerService, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';

import { isTenantId } from '@pw/identity';
import { KafkaModule } from '@pw/kafka';
import { PersistenceModule } from '@pw/persistence';
import { APP_CONFIG, AppConfigModule } from '@pw/platform';

import { loadSlaConfig, type SlaConfig } from './config/sla.config';
import { slaDataSourceOptions } from './data-source';
import { FaultInjector } from './faults/fault-injector.service';
import { SlaOutboxRelay } from './outbox/sla-outbox.relay';
import { EngineRegistry } from './processing/engine-registry.service';
import { TenantConfigService } from './tenant-config/tenant-config.service';
import { TenantReplayService } from './replay/tenant-replay.service';

/*
 * `npm run --silent cli -- replay --tenant T --from INSTANT [--dry-run]` runs this: rebuilds
 * one tenant's state from its retained history, prints the report as JSON on standard output.
 * Its new outputs are queued in the outbox, which the running sla instances publish.
 */

@Module({
  imports: [
    AppConfigModule.forRoot(loadSlaConfig),
    PersistenceModule.forRoot((c: SlaConfig) => slaDataSourceOptions(c.db.url), [APP_CONFIG]),
    KafkaModule.forRoot((c: SlaConfig) => c.kafka, [APP_CONFIG]),
  ],
  // The services alone, without the HTTP controllers (and their API-key guard).
  providers: [FaultInjector, SlaOutboxRelay, TenantConfigService, EngineRegistry, TenantReplayService],
})
class SlaReplayModule {}

/** Log lines go to standard error, as JSON: standard output carries only the report. */
const stderrLogger: LoggerService = {
  log: () => undefined,
  warn: (message: unknown, context?: unknown) => process.stderr.write(`${JSON.stringify({ level: 'warn', context, msg: String(message) })}\n`),
  error: (message: unknown, context?: unknown) => process.stderr.write(`${JSON.stringify({ level: 'error', context, msg: String(message) })}\n`),
};

function fail(message: string): never {
  process.stderr.write(`replay: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { tenant: { type: 'string' }, from: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  });
  const tenantId = values.tenant ?? fail('--tenant: required (the tenant id)');
  if (!isTenantId(tenantId)) fail('--tenant: expected a tenant id (a UUID)');
  const fromText = values.from ?? fail('--from: required (an RFC 3339 instant)');
  const publishFrom = /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:\d{2})$/i.test(fromText) ? Date.parse(fromText) : Number.NaN;
  if (Number.isNaN(publishFrom)) fail('--from: expected an RFC 3339 instant with an offset, such as 2026-03-02T09:00:00Z');

  const app = await NestFactory.createApplicationContext(SlaReplayModule, { logger: stderrLogger });
  try {
    const report = await app.get(TenantReplayService).replay(tenantId, { publishFrom, now: Date.now(), dryRun: values['dry-run'] ?? false });
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`replay failed: ${(error as Error)?.message ?? String(error)}\n`);
  process.exit(1);
});
