import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DataSource } from 'typeorm';

import { KAFKA_CLIENT, TOPICS } from '@pw/kafka';

import type { ClockOutcome } from '@pw/sla-engine';

export const SLA_CONSUMER_GROUP = 'sla.interactions';

/**
 * The Prometheus figures of `GET /metrics`: the clocks' outcomes per tenant (counted in this
 * instance since it started; Prometheus sums instances), and the service's own health:
 * detection lag (fired-at minus due-at, the product's headline figure), batch time, consumer
 * lag and outbox backlog (read when scraped).
 */
@Injectable()
export class SlaPrometheus implements OnApplicationShutdown {
  readonly registry = new Registry();
  private readonly admin: Admin;
  private adminConnected: Promise<void> | undefined;

  readonly detectionLag = new Histogram({
    name: 'sla_detection_lag_seconds',
    help: 'When the timer loop fired a timer (warning, breach, broken promise, silence) minus its due instant, or minus when the service learned of it if that was later',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly batchSeconds = new Histogram({
    name: 'sla_batch_duration_seconds',
    help: 'Time to apply one consumed batch (transaction included)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly timersCaughtUp = new Counter({
    name: 'sla_timers_caught_up_total',
    help: 'Timers fired by a batch before applying an event that arrived after their due instant (the timer loop had not reached them)',
    registers: [this.registry],
  });

  readonly eventsApplied = new Counter({
    name: 'sla_interactions_applied_total',
    help: 'Accepted interactions applied by the engine (duplicates not counted)',
    labelNames: ['tenant'],
    registers: [this.registry],
  });

  readonly duplicatesSkipped = new Counter({
    name: 'sla_interactions_duplicate_total',
    help: 'Accepted interactions skipped because they were applied before (redeliveries)',
    registers: [this.registry],
  });

  readonly outputs = new Counter({
    name: 'sla_output_events_total',
    help: 'Output events written to the outbox, by type',
    labelNames: ['tenant', 'type'],
    registers: [this.registry],
  });

  readonly clocksFinished = new Counter({
    name: 'sla_clocks_finished_total',
    help: 'Clocks finished, by tenant, metric and verdict (met_on_time, met_late, cancelled)',
    labelNames: ['tenant', 'metric', 'verdict'],
    registers: [this.registry],
  });

  constructor(
    dataSource: DataSource,
    @Inject(KAFKA_CLIENT) kafka: Kafka,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'sla_process_' });
    new Gauge({
      name: 'sla_outbox_backlog',
      help: 'Output events written but not yet published to Kafka',
      registers: [this.registry],
      async collect() {
        const rows: Array<{ count: string }> = await dataSource.query(`SELECT count(*) AS count FROM sla.outbox`);
        this.set(Number(rows[0]?.count ?? 0));
      },
    });
    new Gauge({
      name: 'sla_sketch_bins_unfolded',
      help: "Counted-time bin rows batches wrote that the background fold has not packed yet (read together either way); PostgreSQL's live-row estimate",
      registers: [this.registry],
      async collect() {
        // The estimate, not count(*): during a backlog the table holds tens of millions of rows,
        // and counting them at every scrape took the cores from the fold.
        const rows: Array<{ count: string }> = await dataSource.query(
          `SELECT n_live_tup AS count FROM pg_stat_user_tables WHERE schemaname = 'sla' AND relname = 'metric_sketch_bins'`,
        );
        this.set(Number(rows[0]?.count ?? 0));
      },
    });
    const admin = (this.admin = kafka.admin());
    const connect = (): Promise<void> => (this.adminConnected ??= admin.connect());
    const forget = (): void => {
      this.adminConnected = undefined;
    };
    new Gauge({
      name: 'sla_consumer_lag',
      help: 'Records of interactions.accepted.v1 not yet consumed by the sla group, summed over partitions',
      registers: [this.registry],
      async collect() {
        try {
          await connect();
          const [ends, committed] = await Promise.all([
            admin.fetchTopicOffsets(TOPICS.interactionsAccepted),
            admin.fetchOffsets({ groupId: SLA_CONSUMER_GROUP, topics: [TOPICS.interactionsAccepted] }),
          ]);
          const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
          let lag = 0;
          for (const end of ends) {
            const at = done.get(end.partition) ?? -1;
            lag += Number(end.high) - (at < 0 ? Number(end.low) : at);
          }
          this.set(lag);
        } catch {
          forget(); // reported as the last value; the next scrape tries again
        }
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.adminConnected) await this.admin.disconnect().catch(() => undefined);
  }

  recordClock(tenantId: string, outcome: ClockOutcome): void {
    const verdict = outcome.verdict === 'cancelled' ? 'cancelled' : outcome.onTime ? 'met_on_time' : 'met_late';
    this.clocksFinished.inc({ tenant: tenantId, metric: outcome.metric, verdict });
  }
}
