import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import type { InteractionEvent } from '@pw/contracts';
import type { SlaEngine } from '@pw/sla-engine';

import { applyInteractions, lockTenantExclusive } from '../processing/apply-interactions';
import { EngineRegistry } from '../processing/engine-registry.service';
import { TransactionEntityStore } from '../processing/entity-store';
import { SlaEffects } from '../processing/sla-effects';
import { TenantConfigService } from '../tenant-config/tenant-config.service';

/** History rows read per round: bounds the memory of outputs gathered before they are written. */
const CHUNK = 2000;

export interface ReplayOptions {
  /** Outputs new to the ledger are published from this event time on; earlier ones are only recorded. */
  publishFrom: number;
  /** Timers due at or before this instant fire at the end, as the live timer loop has fired them. */
  now: number;
  /** Roll everything back at the end: only the report. */
  dryRun: boolean;
}

export interface ReplayReport {
  tenantId: string;
  dryRun: boolean;
  events: number;
  entities: number;
  configVersions: number[];
  outputs: {
    computed: number;
    /** Computed and already in the ledger (published or recorded before): the live run's result. */
    unchanged: number;
    /** Computed and new to the ledger: queued for publishing, or only recorded (before publishFrom). */
    newPublished: number;
    newRecordedOnly: number;
    /** In the ledger but not computed again: left in the timeline (a fact, once published, stays told). */
    noLongerProduced: number;
  };
  tookMs: number;
}

class DryRunRollback extends Error {
  constructor(readonly report: ReplayReport) {
    super('dry run');
  }
}

/**
 * Rebuilds a tenant's state from its retained history (`applied_events`, in the order the
 * live run applied it, each event under the configuration version it was applied with), in
 * one transaction holding the tenant's replay lock: live batches of the tenant wait, its
 * timers are left alone until it commits. Entities, finished clocks and metric aggregates
 * are rebuilt; output events go through the ledger, so a fact already published is never
 * published again (output ids are derived from the facts).
 */
@Injectable()
export class TenantReplayService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engines: EngineRegistry,
    private readonly configs: TenantConfigService,
  ) {}

  async replay(tenantId: string, options: ReplayOptions): Promise<ReplayReport> {
    const started = Date.now();
    try {
      return await this.dataSource.transaction(async (manager) => {
        await lockTenantExclusive(manager, tenantId);
        const current = (await this.configs.currentVersions([tenantId])).get(tenantId);
        const [{ ledger }] = await manager.query(`SELECT count(*)::int AS ledger FROM sla.output_events WHERE tenant_id = $1`, [tenantId]);
        for (const table of ['entities', 'finished_clocks', 'metric_counters', 'metric_sketch_bins', 'metric_sketches']) {
          await manager.query(`DELETE FROM sla.${table} WHERE tenant_id = $1`, [tenantId]);
        }
        const store = new TransactionEntityStore(manager);
        const computed = new Set<string>();
        const versions = new Set<number>();
        let events = 0;
        let recorded = 0;
        let queued = 0;
        const engineFor = async (version: number | null): Promise<SlaEngine | undefined> => {
          // Not recorded (applied before versions were): the current one. 0: none was valid.
          const wanted = version ?? current ?? 0;
          if (wanted === 0) return undefined;
          versions.add(wanted);
          return (await this.engines.engineAt(tenantId, wanted)) ?? undefined;
        };
        const flush = async (effects: SlaEffects) => {
          for (const id of effects.outputIds()) computed.add(id);
          const written = await effects.write(manager, { publishFrom: options.publishFrom });
          recorded += written.recorded;
          queued += written.queued;
        };

        const occurrences = new Map<string, number>();
        for (let after = '0'; ; ) {
          const rows: Array<{ seq: string; event: InteractionEvent; config_version: number | null }> = await manager.query(
            // ORDER BY the column, not the text alias of the select list (that sorted '100' before '18').
            `SELECT a.seq::text AS seq, a.event, a.config_version FROM sla.applied_events a
              WHERE a.tenant_id = $1 AND a.seq > $2 AND a.event IS NOT NULL ORDER BY a.seq LIMIT $3`,
            [tenantId, after, CHUNK],
          );
          if (rows.length === 0) break;
          after = rows[rows.length - 1].seq;
          const items = [];
          for (const row of rows) items.push({ tenantId, event: row.event, engine: await engineFor(row.config_version) });
          const effects = new SlaEffects(store, occurrences);
          await applyInteractions(store, effects, items);
          await flush(effects);
          events += rows.length;
        }

        // What the live timer loop has fired by now.
        const engine = await engineFor(null);
        if (engine) {
          const effects = new SlaEffects(store, occurrences);
          for (const state of [...store.entities()]) {
            if (state.nextDueAt !== null && state.nextDueAt <= options.now) effects.absorb(tenantId, engine.fireDue(store, state, options.now), null);
          }
          await flush(effects);
        }
        const [{ entities }] = await manager.query(`SELECT count(*)::int AS entities FROM sla.entities WHERE tenant_id = $1`, [tenantId]);
        const unchanged = computed.size - recorded;
        const report: ReplayReport = {
          tenantId,
          dryRun: options.dryRun,
          events,
          entities,
          configVersions: [...versions].sort((a, b) => a - b),
          outputs: { computed: computed.size, unchanged, newPublished: queued, newRecordedOnly: recorded - queued, noLongerProduced: ledger - unchanged },
          tookMs: Date.now() - started,
        };
        if (options.dryRun) throw new DryRunRollback(report);
        return report;
      });
    } catch (error) {
      if (error instanceof DryRunRollback) return { ...error.report, tookMs: Date.now() - started };
      throw error;
    }
  }
}
