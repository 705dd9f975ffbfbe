import { createServiceDataSource } from '@pw/persistence';
import { OutboxRecordEntity } from '@pw/kafka';

import { loadSlaConfig } from './config/sla.config';
import { SlaInit1764800000002 } from './migrations/1764800000002-sla-init';
import { SlaLive1765000000003 } from './migrations/1765000000003-sla-live';
import { SlaTimeline1765100000004 } from './migrations/1765100000004-sla-timeline';
import { SlaOutboxInFlight1765200000005 } from './migrations/1765200000005-sla-outbox-in-flight';
import { SlaMetricSketches1765300000006 } from './migrations/1765300000006-sla-metric-sketches';
import { SlaMetricSketchesCompact1765400000007 } from './migrations/1765400000007-sla-metric-sketches-compact';
import { SlaMetricCellsCounters1765500000008 } from './migrations/1765500000008-sla-metric-cells-counters';
import { SlaMetricDeltasAppended1765600000009 } from './migrations/1765600000009-sla-metric-deltas-appended';

import { FinishedClockEntity, MetricSketchEntity, OutputEventEntity } from './metrics/metric-tables.entity';
import { AppliedEventEntity, EntityStateEntity } from './processing/entity-state.entity';
import { SlaTenantConfigEntity } from './tenant-config/tenant-config.entity';

export const SLA_SCHEMA = 'sla';

export function slaDataSourceOptions(url: string) {
  return {
    url,
    schema: SLA_SCHEMA,
    entities: [
      SlaTenantConfigEntity,
      EntityStateEntity,
      AppliedEventEntity,
      OutputEventEntity,
      FinishedClockEntity,
      MetricSketchEntity,
      OutboxRecordEntity,
    ],
    migrations: [SlaInit1764800000002, SlaLive1765000000003, SlaTimeline1765100000004, SlaOutboxInFlight1765200000005, SlaMetricSketches1765300000006, SlaMetricSketchesCompact1765400000007, SlaMetricCellsCounters1765500000008, SlaMetricDeltasAppended1765600000009],
    applicationName: 'sla',
  };
}

/** For the TypeORM CLI (migration:generate / run / revert). */
export default createServiceDataSource(slaDataSourceOptions(loadSlaConfig(process.env).db.url));
