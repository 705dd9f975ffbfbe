/*
 * Throughput of the clock engine with the in-memory store and the timer heap, on a
 * deterministic, realistic stream: 1,000,000 events over 100,000 conversations.
 *   npm run bench:engine [-- --events N --conversations N --seed N --cpu-profile FILE]
 * --cpu-profile writes a V8 CPU profile of the timed part only (open it in Chrome DevTools).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { SimulationRunner, SlaEngine, compileEngineConfig } from '@pw/sla-engine';

import { InteractionStream, STREAM_CONFIG } from '@pw/test-support';

import type { InteractionEvent, OutputEvent } from '@pw/contracts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    conversations: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '20261120' },
    'cpu-profile': { type: 'string' },
  },
});
const TOTAL_EVENTS = Number(values.events);
const CONVERSATIONS = Number(values.conversations);
/** Events the stream produces per call. */
const CHUNK = 10_000;

async function main(): Promise<void> {
  const compiled = compileEngineConfig(STREAM_CONFIG);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  const counts = new Map<string, number>();
  let outputs = 0;
  const onOutput = (output: OutputEvent) => {
    outputs++;
    counts.set(output.type, (counts.get(output.type) ?? 0) + 1);
  };
  const runner = new SimulationRunner(new SlaEngine('bench', compiled.config), onOutput);
  const stream = new InteractionStream({ events: TOTAL_EVENTS, conversations: CONVERSATIONS, seed: Number(values.seed) });

  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  let gcMs = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });

  // The whole stream is produced first, in arrival order, and the heap collected: only the
  // engine's work (with the store, the ledger and the timers) is timed.
  const generationStart = process.hrtime.bigint();
  const timeline: Array<{ event: InteractionEvent; arrivedAt: number }> = [];
  for (let chunk = stream.next(CHUNK); chunk.length > 0; chunk = stream.next(CHUNK)) timeline.push(...chunk);
  const generationNs = process.hrtime.bigint() - generationStart;
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();

  const profiler = values['cpu-profile'] ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  sample();
  gcObserver.observe({ type: 'gc' });
  const start = process.hrtime.bigint();
  let duplicates = 0;
  for (let i = 0; i < timeline.length; i++) {
    if (!runner.ingest(timeline[i].event, timeline[i].arrivedAt)) duplicates++;
    if ((i & 0x3fff) === 0) sample();
  }
  runner.advanceTo(timeline[timeline.length - 1].arrivedAt);
  const measuredNs = process.hrtime.bigint() - start;
  sample();
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(values['cpu-profile'] as string, JSON.stringify(profile));
    profiler.disconnect();
  }
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the observer deliver
  gcObserver.disconnect();
  const elapsedMs = Number(measuredNs) / 1e6;
  const generationMs = Number(generationNs) / 1e6;
  const total = timeline.length;

  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const lines = [
    `engine benchmark: ${total.toLocaleString('en')} events, ${runner.store.conversationCount.toLocaleString('en')} conversations, ${stream.customers.toLocaleString('en')} customers`,
    `  generation        ${(generationMs / 1000).toFixed(2)} s (not measured)`,
    `  engine time       ${(elapsedMs / 1000).toFixed(2)} s`,
    `  of which GC       ${(gcMs / 1000).toFixed(2)} s`,
    `  throughput        ${Math.round(total / (elapsedMs / 1000)).toLocaleString('en')} events/s`,
    `  output events     ${outputs.toLocaleString('en')} (duplicates ignored: ${duplicates.toLocaleString('en')})`,
    `  peak RSS          ${mb(peakRss)}`,
    `  peak heap used    ${mb(peakHeap)}`,
    `  node              ${process.version} on ${process.platform}/${process.arch}`,
    '  outputs by type:',
    ...[...counts.entries()].sort((a, b) => b[1] - a[1]).map(([type, count]) => `    ${type.padEnd(28)} ${count.toLocaleString('en')}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
