import type { z } from 'zod';

/**
 * One thing wrong with a document or an event: where (`policies[2].targets.first_response`)
 * and what (`"4x" is not a duration`). Rendered as `path: message`, as config.md shows.
 */
export interface Problem {
  /** Path inside the document: keys joined with `.`, array indices as `[i]`; empty for the whole. */
  path: string;
  /** The offending value JSON-quoted (when there is one) and the reason. */
  message: string;
}

export type PathSegment = string | number;

/** `['policies', 2, 'targets', 'first_response']` → `policies[2].targets.first_response`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

/** A value as it appears in a message: JSON, shortened when long. */
export function quoteValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Builds a problem whose message starts with the quoted value, when there is a value. */
export function problemAt(path: readonly PropertyKey[], value: unknown, reason: string): Problem {
  return { path: formatPath(path), message: value === undefined ? reason : `${quoteValue(value)} ${reason}` };
}

export function formatProblem(problem: Problem): string {
  return problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
}

const EXPECTED_NOUNS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
  map: 'an object',
  nan: 'NaN',
};

function plural(n: number | bigint, word: string): string {
  return `${n} ${word}${Number(n) === 1 ? '' : 's'}`;
}

function reasonFor(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return `is not ${EXPECTED_NOUNS[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${quoteValue(issue.values[0])}`
        : `is not one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) === 1 ? 'is empty' : `is shorter than ${plural(issue.minimum, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `has fewer than ${plural(issue.minimum, 'item')}`;
      return issue.inclusive ? `is less than ${issue.minimum}` : `is not more than ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `is longer than ${plural(issue.maximum, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `has more than ${plural(issue.maximum, 'item')}`;
      return issue.inclusive ? `is more than ${issue.maximum}` : `is not less than ${issue.maximum}`;
    case 'invalid_format':
      return `is not a valid ${issue.format}`;
    case 'not_multiple_of':
      return `is not a multiple of ${issue.divisor}`;
    case 'custom':
      return issue.message;
    default:
      return input === undefined ? issue.message : 'is not valid here';
  }
}

/**
 * Turns zod issues into problems with our wording. Parse with `{ reportInput: true }` so the
 * issues carry the offending value.
 */
export function problemsFromZodIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PathSegment[] = []): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(problemAt([...path, key], undefined, 'is not a known field'));
      continue;
    }
    const input = (issue as { input?: unknown }).input;
    // A missing field reaches the schema as `undefined`, whatever check it then fails.
    const requiredReason = issue.code === 'custom' && issue.message.startsWith('is required');
    if (input === undefined && !requiredReason) {
      problems.push(problemAt(path, undefined, 'is required'));
      continue;
    }
    problems.push(problemAt(path, input, reasonFor(issue, input)));
  }
  return problems;
}

/** Drops repeated problems (same path and message), keeping the first. */
export function dedupeProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  const unique: Problem[] = [];
  for (const problem of problems) {
    const key = formatProblem(problem);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(problem);
  }
  return unique;
}
