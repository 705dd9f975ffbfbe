import { Pool } from 'undici';

export interface OpenLoopOptions {
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** One body per request, in order. */
  bodies: string[];
  ratePerSecond: number;
  seconds: number;
  /**
   * Seconds of the same load before the measured ones, not counted: the pool's connections
   * are opened and the code path is compiled then, as on a service that has been running.
   */
  warmupSeconds?: number;
  /** The most requests in flight at once (one per connection, no pipelining). */
  connections: number;
}

export interface OpenLoopResult {
  requests: number;
  seconds: number;
  achievedRate: number;
  statuses: Record<number, number>;
  errors: number;
  /** Per request, from the instant it was scheduled to be sent until its answer, sorted. */
  latenciesMs: number[];
  /** Per request, how late the generator itself sent it (its own event loop's delay), sorted. */
  sendLagsMs: number[];
}

/**
 * An open-loop load at a fixed rate: request i is due at start + i / rate, whatever happened to
 * the earlier ones, and its latency counts from that due instant (so a request the generator
 * could only send late, because every connection was busy, counts its wait: no coordinated
 * omission). autocannon's `overallRate` is not this: each connection sends its share of a
 * second back to back at the start of the second and then waits, which measures bursts of
 * closed-loop requests, and it back-fills its histogram as if one request per millisecond had
 * been expected.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const pool = new Pool(options.origin, { connections: options.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const warmup = Math.round(options.ratePerSecond * (options.warmupSeconds ?? 0));
  const total = Math.min(options.bodies.length, warmup + Math.round(options.ratePerSecond * options.seconds));
  const intervalMs = 1000 / options.ratePerSecond;
  const latencies: number[] = [];
  const sendLags: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  let next = 0;
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();

  const send = (index: number): void => {
    const dueAt = start + index * intervalMs;
    const counted = index >= warmup;
    if (counted) sendLags.push(performance.now() - dueAt);
    const request = pool
      .request({ path: options.path, method: 'POST', headers: options.headers, body: options.bodies[index] })
      .then(async (response) => {
        await response.body.dump();
        if (!counted) return;
        statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
        latencies.push(performance.now() - dueAt);
      })
      .catch(() => {
        if (counted) errors += 1;
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };

  while (next < total) {
    const now = performance.now();
    while (next < total && start + next * intervalMs <= now) send(next++);
    if (next < total) await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + next * intervalMs - performance.now())));
  }
  while (inFlight.size > 0) await Promise.race(inFlight);
  const seconds = (performance.now() - start) / 1000 - (options.warmupSeconds ?? 0);
  await pool.close();
  latencies.sort((a, b) => a - b);
  sendLags.sort((a, b) => a - b);
  return { requests: total - warmup, seconds, achievedRate: (total - warmup) / seconds, statuses, errors, latenciesMs: latencies, sendLagsMs: sendLags };
}

/** The p-th percentile (nearest rank) of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
