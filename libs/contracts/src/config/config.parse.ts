import { LineCounter, parseDocument } from 'yaml';

import { configDocumentSchema } from './config.schema';
import { referenceProblems } from './config.references';
import { dedupeProblems, problemsFromZodIssues } from '../common/problem.util';

import type { ConfigDocument } from './config.schema';
import type { Problem } from '../common/problem.util';

export type ConfigParseResult = { ok: true; document: ConfigDocument } | { ok: false; problems: Problem[] };

/**
 * Validates a configuration document (already parsed from YAML or JSON) as config.md says:
 * a bad one is rejected whole, with every bad path.
 */
export function validateConfigDocument(raw: unknown): ConfigParseResult {
  if (raw === null || raw === undefined) return { ok: false, problems: [{ path: '', message: 'the document is empty' }] };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: [{ path: '', message: 'the document is not a mapping of version, calendars, policies, …' }] };
  }
  const result = configDocumentSchema.safeParse(raw, { reportInput: true });
  const problems = [...(result.success ? [] : problemsFromZodIssues(result.error.issues)), ...referenceProblems(raw)];
  if (!result.success || problems.length > 0) return { ok: false, problems: dedupeProblems(problems) };
  return { ok: true, document: result.data };
}

/**
 * Parses the text of a configuration document (YAML 1.2, so JSON too) and validates it.
 * Syntax errors come back as problems naming the line and column.
 */
export function parseConfigText(text: string): ConfigParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const position = error.linePos?.[0];
        const where = position ? `line ${position.line}, column ${position.col}: ` : '';
        return { path: '', message: `${where}${error.message.split('\n')[0]}` };
      }),
    };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, problems: [{ path: '', message: `cannot be read: ${(error as Error).message}` }] };
  }
  return validateConfigDocument(raw);
}
