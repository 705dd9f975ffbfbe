import { z } from 'zod';

import { env, parseEnvironment } from '@pw/platform';

const cliEnvironment = z.object({
  DATABASE_URL: env.url(['postgres', 'postgresql'], 'postgres://postgres@127.0.0.1:5432/postgres'),
});

/** Where the administrative commands (tenants, keys) find the identity schema. */
export function loadCliDatabaseUrl(source: Record<string, string | undefined> = process.env): string {
  return parseEnvironment(cliEnvironment, source).DATABASE_URL;
}
