import { workerData } from 'node:worker_threads';

import { Pool } from 'pg';

import { answerMetricsShare, type MetricsShare, type MetricsShareTask } from './metric-answer';

/** What each answering thread is started with (metric-queries.service.ts). */
export interface MetricAnswerWorkerData {
  databaseUrl: string;
}

const { databaseUrl } = workerData as MetricAnswerWorkerData;
// Two connections: a share reads its counters and its sketches at the same time.
const pool = new Pool({ connectionString: databaseUrl, max: 2, idleTimeoutMillis: 30_000, application_name: 'sla-metrics' });
// An idle connection PostgreSQL dropped: the pool opens a new one for the next question.
pool.on('error', () => undefined);

/** One share of a metrics answer (piscina's task handler). */
export default function answerShare(task: MetricsShareTask): Promise<MetricsShare> {
  return answerMetricsShare(async (sql, params) => (await pool.query(sql, params)).rows, task);
}
