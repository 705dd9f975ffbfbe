/*
 * Test helpers for the engine specs (not exported by the library): a configuration in YAML,
 * events in a compact form, and the output events the simulator would print.
 */
import { parseConfigText, parseInteractionEvent, formatProblem } from '@pw/contracts';

import { compileEngineConfig } from '../config/engine-config';
import { SlaEngine } from '../engine/sla-engine';
import { SimulationRunner, arrivalInstant } from '../simulation/simulation.runner';

import type { EngineConfig } from '../config/engine-config';
import type { InteractionEvent, OutputEvent } from '@pw/contracts';

export function engineConfig(yaml: string): EngineConfig {
  const parsed = parseConfigText(yaml);
  if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
  const compiled = compileEngineConfig(parsed.document);
  if (!compiled.ok) throw new Error(compiled.problems.map(formatProblem).join('\n'));
  return compiled.config;
}

let sequence = 0;

/** An event with the usual fields filled in: conversation `c1`, customer `acme`, a fresh id. */
export function ev(kind: InteractionEvent['kind'], occurredAt: string, fields: Record<string, unknown> = {}): InteractionEvent {
  const raw = { id: `e${++sequence}`, kind, occurredAt, conversationId: 'c1', customerId: 'acme', ...fields };
  const parsed = parseInteractionEvent(raw);
  if (!parsed.ok) throw new Error(`bad test event ${JSON.stringify(raw)}: ${parsed.problems.map(formatProblem).join('; ')}`);
  return parsed.event;
}

export const inbound = (at: string, fields: Record<string, unknown> = {}) => ev('message', at, { channel: 'email', direction: 'inbound', ...fields });
export const reply = (at: string, fields: Record<string, unknown> = {}) => ev('message', at, { channel: 'email', direction: 'outbound', ...fields });
export const autoReply = (at: string, fields: Record<string, unknown> = {}) => reply(at, { automated: true, ...fields });
export const status = (at: string, value: string, fields: Record<string, unknown> = {}) => ev('status', at, { status: value, ...fields });
export const note = (at: string, fields: Record<string, unknown> = {}) => ev('note', at, fields);

export interface SimulationOptions {
  /** Timers due at or before this instant fire; default: the last arrival. */
  until?: string;
}

/** Runs events through the simulator exactly as `simulate` does (arrival order, stable). */
export function simulate(config: EngineConfig, events: InteractionEvent[], options: SimulationOptions = {}): OutputEvent[] {
  const outputs: OutputEvent[] = [];
  const runner = new SimulationRunner(new SlaEngine('test', config), (output) => outputs.push(output));
  const timeline = events.map((event) => ({ event, arrivedAt: arrivalInstant(event) })).sort((a, b) => a.arrivedAt - b.arrivedAt);
  const until = options.until === undefined ? undefined : Date.parse(options.until);
  for (const { event, arrivedAt } of timeline) {
    if (until !== undefined && arrivedAt > until) break;
    runner.ingest(event, arrivedAt);
  }
  const end = until ?? timeline[timeline.length - 1]?.arrivedAt;
  if (end !== undefined) runner.advanceTo(end);
  return outputs;
}

/** Output events of some types, for compact assertions. */
export function only(outputs: OutputEvent[], ...types: string[]): OutputEvent[] {
  return outputs.filter((output) => types.includes(output.type));
}

/** `type metric#cycle@at` lines: the shape of a clock's story at a glance. */
export function story(outputs: OutputEvent[]): string[] {
  return outputs.map((output) => {
    const o = output as OutputEvent & { metric?: string; cycle?: number; promiseId?: string };
    const subject = o.metric ? ` ${o.metric}#${o.cycle}` : o.promiseId ? ` ${o.promiseId}` : '';
    return `${o.type}${subject} @${o.at}`;
  });
}

export const ALWAYS = `
calendars:
  - { id: always, timezone: UTC, hours: 24x7 }
`;
