import { workerData } from 'node:worker_threads';

import { Pool } from 'pg';

import { answerMetricsShare, type MetricsShare, type MetricsShareTask } from './metric-answer';

/** What each answering thread is started with (metric-queries.service.ts). */
export interface MetricAnswerWorkerData {
  databaseUrl: string;
}

const { databaseUrl } = workerData as MetricAnswerWorkerData;
// One connection: a thread answers one share at a time, in one statement.
const pool = new Pool({ connectionString: databaseUrl, max: 1, idleTimeoutMillis: 30_000, application_name: 'sla-metrics' });
// An idle connection PostgreSQL dropped: the pool opens a new one for the next question.
pool.on('error', () => undefined);

/** One share of a metrics answer (piscina's task handler). */
export default function answerShare(task: MetricsShareTask): Promise<MetricsShare> {
  return answerMetricsShare(async (sql, params) => (await pool.query(sql, params)).rows, task);
}
