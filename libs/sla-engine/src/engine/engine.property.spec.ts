import fc from 'fast-check';
import { formatInstant, parseInteractionEvent, validateConfigDocument } from '@pw/contracts';

import { addSegment, countedAt, instantOfCounted } from './clock.logic';
import { SlaEngine } from './sla-engine';
import { compileEngineConfig } from '../config/engine-config';
import { SimulationRunner, arrivalInstant } from '../simulation/simulation.runner';

import type { EngineConfig } from '../config/engine-config';
import type { ClockState } from '../state/engine-state.type';
import type { ConfigDocument, InteractionEvent, OutputEvent, SlaMetric } from '@pw/contracts';

/*
 * Properties over random calendars (zones with DST, several intervals a day, holidays) and
 * random event streams (late arrivals and duplicates included), 1,000 runs each.
 */

const RUNS = { numRuns: 1000 };
const MINUTE = 60_000;
/** Spans the spring-forward of Europe (29 March) and of Lord Howe's half hour (5 April). */
const BASE = Date.parse('2026-03-25T00:00:00Z');
const ZONES = ['UTC', 'Europe/Amsterdam', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const METRICS: SlaMetric[] = ['acknowledgement', 'first_response', 'next_response', 'periodic_update', 'resolution'];

const hhmm = (quarter: number) => (quarter === 96 ? '24:00' : `${String(Math.floor(quarter / 4)).padStart(2, '0')}:${String((quarter % 4) * 15).padStart(2, '0')}`);

/** Non-overlapping intervals on a quarter-hour grid. */
const dayIntervals = fc.uniqueArray(fc.integer({ min: 0, max: 96 }), { maxLength: 6 }).map((bounds) => {
  const sorted = [...bounds].sort((a, b) => a - b);
  const intervals: string[] = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) intervals.push(`${hhmm(sorted[i])}-${hhmm(sorted[i + 1])}`);
  return intervals;
});

const calendarArb = (id: string) =>
  fc.record({
    id: fc.constant(id),
    timezone: fc.constantFrom(...ZONES),
    hours: fc.oneof(
      { weight: 1, arbitrary: fc.constant('24x7' as const) },
      { weight: 4, arbitrary: fc.record(Object.fromEntries(DAYS.map((day) => [day, dayIntervals])) as Record<(typeof DAYS)[number], typeof dayIntervals>) },
    ),
    holidays: fc.uniqueArray(fc.integer({ min: 0, max: 20 }).map((day) => formatInstant(BASE + day * 86_400_000).slice(0, 10)), { maxLength: 4 }),
  });

const targetsArb = fc
  .subarray(METRICS, { minLength: 1 })
  .chain((metrics) => fc.tuple(...metrics.map((metric) => fc.integer({ min: 1, max: 480 }).map((minutes) => [metric, `${minutes}m`] as const))))
  .map((entries) => Object.fromEntries(entries));

const configArb = fc
  .record({
    a: calendarArb('a'),
    b: calendarArb('b'),
    urgentTargets: targetsArb,
    restTargets: targetsArb,
    keyTargets: targetsArb,
    warnAt: fc.uniqueArray(fc.constantFrom(0.25, 0.5, 0.75, 0.9, 1), { maxLength: 3 }),
    pauseOn: fc.subarray(['pending_customer', 'on_hold'] as const),
  })
  .map(({ a, b, urgentTargets, restTargets, keyTargets, warnAt, pauseOn }) => {
    const document = {
      version: 1,
      calendars: [a, b],
      policies: [
        { id: 'urgent', match: { priority: ['urgent'] }, calendar: 'a', targets: urgentTargets, warnAt, pauseOn },
        { id: 'key', match: { segment: ['key'] }, calendar: 'b', targets: keyTargets, pauseOn },
        { id: 'rest', match: {}, calendar: 'b', targets: restTargets, warnAt },
      ],
      promises: { provider: { warnBefore: '1h' }, customer: { warnBefore: '0m', pattern: { threshold: 2, window: '3d' } } },
      silence: [{ match: { segment: ['key'] }, within: '2d' }],
      transfers: { max: 1 },
      feedback: { detractor: { csat: 2, nps: 6 } },
    };
    const validated = validateConfigDocument(document);
    if (!validated.ok) throw new Error(JSON.stringify(validated.problems));
    const compiled = compileEngineConfig(validated.document as ConfigDocument);
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
    return compiled.config;
  });

const KINDS = ['inbound', 'inbound', 'reply', 'reply', 'auto', 'call', 'status', 'made', 'kept', 'cancelled', 'note', 'transfer', 'feedback'] as const;

const stepArb = fc.record({
  gapMinutes: fc.integer({ min: 0, max: 600 }),
  conversation: fc.integer({ min: 0, max: 2 }),
  kind: fc.constantFrom(...KINDS),
  status: fc.constantFrom('open', 'open', 'pending_customer', 'on_hold', 'solved', 'closed'),
  promise: fc.integer({ min: 0, max: 2 }),
  promiseBy: fc.constantFrom('provider', 'customer'),
  promiseInMinutes: fc.integer({ min: -60, max: 3000 }),
  priority: fc.option(fc.constantFrom('urgent', 'normal'), { freq: 4 }),
  segment: fc.option(fc.constantFrom('key', 'smb'), { freq: 6 }),
  lateMinutes: fc.option(fc.integer({ min: 1, max: 180 }), { freq: 8 }),
  duplicate: fc.boolean(),
  score: fc.integer({ min: 0, max: 5 }),
});

const streamArb = fc.array(stepArb, { minLength: 1, maxLength: 40 }).map((steps) => {
  const events: InteractionEvent[] = [];
  let at = BASE;
  steps.forEach((step, index) => {
    at += step.gapMinutes * MINUTE;
    const conversationId = `c${step.conversation}`;
    const base: Record<string, unknown> = {
      id: step.duplicate && index > 0 && index % 5 === 0 ? `e${index - 1}` : `e${index}`,
      occurredAt: formatInstant(at),
      conversationId,
      customerId: step.conversation === 2 ? 'other' : 'acme',
      channel: 'email',
    };
    if (step.priority !== null) base.priority = step.priority;
    if (step.segment !== null) base.segment = step.segment;
    if (step.lateMinutes !== null) base.receivedAt = formatInstant(at + step.lateMinutes * MINUTE);
    const promise = { id: `p${step.promise}`, by: step.promiseBy, dueAt: formatInstant(at + step.promiseInMinutes * MINUTE) };
    const byKind: Record<(typeof KINDS)[number], Record<string, unknown>> = {
      inbound: { kind: 'message', direction: 'inbound' },
      reply: { kind: 'message', direction: 'outbound' },
      auto: { kind: 'message', direction: 'outbound', automated: true },
      call: { kind: 'call', channel: 'phone', direction: 'inbound', answered: step.score > 2 },
      status: { kind: 'status', status: step.status },
      made: { kind: 'promise.made', promise },
      kept: { kind: 'promise.kept', promise: { id: promise.id } },
      cancelled: { kind: 'promise.cancelled', promise: { id: promise.id } },
      note: { kind: 'note' },
      transfer: { kind: 'transfer', toTeam: 'tier2' },
      feedback: { kind: 'feedback', rating: { scale: 'csat', score: step.score === 0 ? 1 : step.score } },
    };
    const parsed = parseInteractionEvent({ ...base, ...byKind[step.kind] });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    events.push(parsed.event);
  });
  return events;
});

function timelineOf(events: InteractionEvent[]) {
  return events.map((event) => ({ event, arrivedAt: arrivalInstant(event) })).sort((a, b) => a.arrivedAt - b.arrivedAt);
}

/** The simulator's loop; `split` snapshots, serialises and restores the state after that many events. */
function run(config: EngineConfig, events: InteractionEvent[], split?: number): OutputEvent[] {
  const outputs: OutputEvent[] = [];
  const onOutput = (output: OutputEvent) => outputs.push(output);
  const timeline = timelineOf(events);
  let runner = new SimulationRunner(new SlaEngine('t', config), onOutput);
  timeline.forEach(({ event, arrivedAt }, index) => {
    if (index === split) {
      const snapshot = JSON.parse(JSON.stringify(runner.snapshot()));
      runner = SimulationRunner.restore(new SlaEngine('t', config), snapshot, onOutput);
    }
    runner.ingest(event, arrivedAt);
  });
  runner.advanceTo(timeline[timeline.length - 1].arrivedAt + 3 * 86_400_000);
  return outputs;
}

describe('engine properties', () => {
  it('never lets counted time decrease, never counts more than real time, and finds the earliest instant of a count', () => {
    fc.assert(
      fc.property(
        configArb,
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 3000 }), calendar: fc.constantFrom('a', 'b'), paused: fc.boolean() }), { maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 20 * 24 * 60 }), { minLength: 2, maxLength: 12 }),
        (config, changes, probes) => {
          const clock: ClockState = {
            metric: 'resolution', cycle: 1, policy: 'rest', targetMs: 60 * MINUTE, warnAt: [], startedAt: BASE,
            segments: [{ from: BASE, counted: 0, paused: false, calendar: 'a' }],
            dueAt: null, warned: [], breached: false, nextWarning: null, timerAt: null,
          };
          let at = BASE;
          for (const change of changes) {
            at += change.gap * MINUTE;
            addSegment(config, clock, at, change.calendar, change.paused);
          }
          const instants = probes.map((minutes) => BASE + minutes * MINUTE).sort((x, y) => x - y);
          for (let i = 1; i < instants.length; i++) {
            const grown = countedAt(config, clock, instants[i]) - countedAt(config, clock, instants[i - 1]);
            expect(grown).toBeGreaterThanOrEqual(0);
            expect(grown).toBeLessThanOrEqual(instants[i] - instants[i - 1]);
          }
          const total = countedAt(config, clock, instants[instants.length - 1]);
          if (total > 0) {
            const amount = Math.max(1, Math.floor(total / 2));
            const reached = instantOfCounted(config, clock, amount) as number;
            expect(countedAt(config, clock, reached)).toBe(amount);
            expect(countedAt(config, clock, reached - 1)).toBeLessThan(amount);
          }
        },
      ),
      RUNS,
    );
  });

  it('meets a clock on time exactly when the meeting event is at or before its due instant (counted time then within the target)', () => {
    fc.assert(
      fc.property(configArb, streamArb, (config, events) => {
        const due = new Map<string, { dueAt: string | null; policy: string }>();
        for (const output of run(config, events)) {
          if (!('metric' in output)) continue;
          const key = `${output.conversationId}/${output.metric}/${output.cycle}`;
          if (output.type === 'sla.started' || output.type === 'sla.retargeted') due.set(key, { dueAt: output.dueAt, policy: output.policy });
          if (output.type === 'sla.resumed') due.set(key, { ...(due.get(key) as { policy: string }), dueAt: output.dueAt });
          if (output.type === 'sla.paused') due.set(key, { ...(due.get(key) as { policy: string }), dueAt: null });
          if (output.type !== 'sla.met') continue;
          const clock = due.get(key);
          expect(clock).toBeDefined();
          const dueAt = clock?.dueAt ?? null;
          const targetMs = config.policies.find((p) => p.id === clock?.policy)?.targets[output.metric] as number;
          if (dueAt !== null) expect(output.onTime).toBe(Date.parse(output.at) <= Date.parse(dueAt));
          if (output.onTime) expect(output.elapsedSeconds * 1000).toBeLessThanOrEqual(targetMs);
          else expect(output.elapsedSeconds * 1000).toBeGreaterThanOrEqual(targetMs);
        }
      }),
      RUNS,
    );
  });

  it('gives the same output when the same events are replayed in the same order', () => {
    fc.assert(
      fc.property(configArb, streamArb, (config, events) => {
        expect(run(config, events)).toEqual(run(config, events));
      }),
      RUNS,
    );
  });

  it('changes nothing when the state is serialised and restored mid-stream', () => {
    fc.assert(
      fc.property(configArb, streamArb, fc.nat(), (config, events, at) => {
        expect(run(config, events, at % events.length)).toEqual(run(config, events));
      }),
      RUNS,
    );
  });
});
