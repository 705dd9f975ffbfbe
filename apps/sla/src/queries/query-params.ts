import { z } from 'zod';

import { parseDuration } from '@pw/contracts';
import { ProblemException } from '@pw/platform';

export { limitParam, parseQuery } from '@pw/platform';

/** A config.md duration (`2h`, `1d12h`), as milliseconds. */
export const durationParam = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: 'expected a positive duration such as 30m, 2h or 1d12h' });
    return z.NEVER;
  }
  return ms;
});

/** An RFC 3339 instant with an offset, as epoch milliseconds. */
export const instantParam = z.string().transform((text, ctx) => {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'expected an RFC 3339 instant with an offset, such as 2026-03-02T09:00:00Z' });
    return z.NEVER;
  }
  return ms;
});

/** Ids of conversations and customers as the contract allows them: non-empty, bounded. */
export function checkId(field: string, id: string): string {
  if (id.length === 0 || id.length > 200) {
    throw new ProblemException(400, 'Bad Request', `the ${field} is invalid`, [{ field, reason: 'expected 1 to 200 characters' }]);
  }
  return id;
}

export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}
