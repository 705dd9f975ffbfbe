import { z } from 'zod';

import { ProblemException } from './problem-details.filter';

/**
 * Parses a query string or a JSON body against a zod schema: every bad field is named in a
 * 400 problem, and nothing is read or changed before the whole input is valid.
 */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown, what = 'the query string'): z.infer<S> {
  const result = schema.safeParse(query ?? {});
  if (result.success) return result.data;
  throw new ProblemException(
    400,
    'Bad Request',
    `${what} is invalid`,
    result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(query)', reason: issue.message })),
  );
}

export const limitParam = (fallback: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(max, `must be at most ${max}`))
    .optional()
    .transform((value) => value ?? fallback);
