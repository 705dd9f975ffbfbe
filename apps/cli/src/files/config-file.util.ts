import { readFileSync } from 'node:fs';

import { formatProblem, parseConfigText } from '@pw/contracts';
import { compileEngineConfig } from '@pw/sla-engine';

import type { ConfigDocument } from '@pw/contracts';
import type { EngineConfig } from '@pw/sla-engine';

export type LoadedFile<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Reads a file as UTF-8 text, or explains in one line why it cannot be read. */
export function readTextFile(path: string): LoadedFile<string> {
  try {
    return { ok: true, value: readFileSync(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    return { ok: false, errors: [`${path}: cannot be read: ${reason}`] };
  }
}

/**
 * Reads, validates and compiles a configuration document. `${NAME}` placeholders are left as
 * they are: the simulator needs no secrets (the service substitutes them when it loads).
 */
export function loadConfigFile(path: string): LoadedFile<{ document: ConfigDocument; config: EngineConfig }> {
  const text = readTextFile(path);
  if (!text.ok) return text;
  const parsed = parseConfigText(text.value);
  if (!parsed.ok) return { ok: false, errors: parsed.problems.map((problem) => `${path}: ${formatProblem(problem)}`) };
  const compiled = compileEngineConfig(parsed.document);
  if (!compiled.ok) return { ok: false, errors: compiled.problems.map((problem) => `${path}: ${formatProblem(problem)}`) };
  return { ok: true, value: { document: parsed.document, config: compiled.config } };
}
