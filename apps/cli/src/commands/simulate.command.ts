import { checkInstant } from '@pw/contracts';
import { SimulationRunner, SlaEngine, arrivalInstant } from '@pw/sla-engine';

import { ExitCode } from '../cli-io.type';
import { loadConfigFile } from '../files/config-file.util';
import { loadEventsFile } from '../files/events-file.util';
import { UsageError } from './command.type';

import type { CliCommand } from './command.type';
import type { OutputEvent } from '@pw/contracts';

/** The simulator has one tenant; the name only keys the in-memory state. */
const SIMULATED_TENANT = 'simulation';
/** Output is written in chunks of about this many characters. */
const WRITE_CHUNK = 1 << 20;

export const simulateCommand: CliCommand = {
  name: 'simulate',
  summary: 'run a configuration on a file of events and print the output events',
  usage: '--config FILE.yaml --events FILE.jsonl [--until INSTANT]',
  options: { config: { type: 'string' }, events: { type: 'string' }, until: { type: 'string' } },
  run({ values }, io) {
    const configPath = values.config;
    const eventsPath = values.events;
    if (typeof configPath !== 'string') throw new UsageError('--config is required');
    if (typeof eventsPath !== 'string') throw new UsageError('--events is required');
    let until: number | undefined;
    if (typeof values.until === 'string') {
      const check = checkInstant(values.until);
      if (!check.ok) throw new UsageError(`--until: ${JSON.stringify(values.until)} ${check.reason}`);
      until = check.epochMs;
    }

    const config = loadConfigFile(configPath);
    const events = loadEventsFile(eventsPath);
    const errors = [...(config.ok ? [] : config.errors), ...(events.ok ? [] : events.errors)];
    if (!config.ok || !events.ok) {
      for (const error of errors) io.stderr(`${error}\n`);
      return ExitCode.badInput;
    }

    // Arrival order: receivedAt, else occurredAt; ties keep file order (the sort is stable).
    const timeline = events.value
      .map(({ event }) => ({ event, arrivedAt: arrivalInstant(event) }))
      .sort((a, b) => a.arrivedAt - b.arrivedAt);

    let buffer = '';
    const write = (output: OutputEvent) => {
      buffer += `${JSON.stringify(output)}\n`;
      if (buffer.length >= WRITE_CHUNK) {
        io.stdout(buffer);
        buffer = '';
      }
    };
    const runner = new SimulationRunner(new SlaEngine(SIMULATED_TENANT, config.value.config), write);
    for (const { event, arrivedAt } of timeline) {
      // The world stops at --until: later arrivals are not applied.
      if (until !== undefined && arrivedAt > until) break;
      runner.ingest(event, arrivedAt);
    }
    const end = until ?? (timeline.length > 0 ? timeline[timeline.length - 1].arrivedAt : undefined);
    if (end !== undefined) runner.advanceTo(end);
    if (buffer !== '') io.stdout(buffer);
    return ExitCode.ok;
  },
};
