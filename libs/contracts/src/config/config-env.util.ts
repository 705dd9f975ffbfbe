import { problemAt } from '../common/problem.util';

import type { PathSegment, Problem } from '../common/problem.util';

const PLACEHOLDER = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export type EnvSubstitutionResult<T> = { ok: true; document: T } | { ok: false; problems: Problem[] };

/**
 * Replaces every `${NAME}` in the string values of a document with `env[NAME]` (config.md:
 * when the service loads the document). `$$` stands for a literal `$`. A name that is not
 * set is a problem at its path; the value itself is never put in a message, since it may be
 * a secret. Returns a copy; the input is not changed.
 */
export function substituteEnv<T>(document: T, env: Readonly<Record<string, string | undefined>>): EnvSubstitutionResult<T> {
  const problems: Problem[] = [];
  const visit = (value: unknown, path: PathSegment[]): unknown => {
    if (typeof value === 'string') {
      return value.replace(PLACEHOLDER, (match, name: string | undefined) => {
        if (name === undefined) return '$';
        const replacement = env[name];
        if (replacement === undefined) {
          problems.push(problemAt(path, value, `refers to the environment variable ${name}, which is not set`));
          return match;
        }
        return replacement;
      });
    }
    if (Array.isArray(value)) return value.map((item, index) => visit(item, [...path, index]));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visit(item, [...path, key])]));
    }
    return value;
  };
  const substituted = visit(document, []) as T;
  return problems.length > 0 ? { ok: false, problems } : { ok: true, document: substituted };
}
