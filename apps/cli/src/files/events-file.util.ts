import { formatProblem, parseInteractionEvent } from '@pw/contracts';

import { readTextFile } from './config-file.util';

import type { LoadedFile } from './config-file.util';
import type { InteractionEvent } from '@pw/contracts';

export interface EventLine {
  event: InteractionEvent;
  /** 1-based line number in the file. */
  line: number;
}

/**
 * Reads a JSON Lines file of interaction events (blank lines allowed). Every bad line is
 * reported as `FILE:LINE: field: problem`.
 */
export function loadEventsFile(path: string): LoadedFile<EventLine[]> {
  const text = readTextFile(path);
  if (!text.ok) return text;
  const events: EventLine[] = [];
  const errors: string[] = [];
  const lines = text.value.split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (content.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      errors.push(`${path}:${line}: is not valid JSON (${(error as Error).message})`);
      return;
    }
    const parsed = parseInteractionEvent(value, { sizeBytes: Buffer.byteLength(content, 'utf8') });
    if (parsed.ok) events.push({ event: parsed.event, line });
    else for (const problem of parsed.problems) errors.push(`${path}:${line}: ${formatProblem(problem)}`);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: events };
}
