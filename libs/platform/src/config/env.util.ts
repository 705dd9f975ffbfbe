import { z } from 'zod';

/** Thrown at start-up when the environment does not satisfy a service's schema. */
export class EnvironmentConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid environment configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'EnvironmentConfigError';
  }
}

/**
 * Parses the environment with a service's zod schema. Each problem names the variable and
 * the reason; a secret's value is never echoed, only its name.
 */
export function parseEnvironment<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined>,
): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const given = env[name];
    const shown = given === undefined ? 'is missing' : /SECRET|PASSWORD|KEY|TOKEN/i.test(name) ? 'is invalid' : `is ${JSON.stringify(given)}`;
    return `${name} ${shown}: ${issue.message}`;
  });
  throw new EnvironmentConfigError(problems);
}


/** Small building blocks shared by the services' environment schemas. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback),
  url: (protocols: string[], fallback: string) =>
    z
      .string()
      .default(fallback)
      .refine((value) => {
        try {
          return protocols.includes(new URL(value).protocol.replace(':', ''));
        } catch {
          return false;
        }
      }, `must be a ${protocols.join(' or ')} URL`),
  brokers: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((value) => value.split(',').map((b) => b.trim()).filter(Boolean))
      .refine((list) => list.length > 0 && list.every((b) => /^[^\s:]+:\d+$/.test(b)), 'must be host:port[,host:port…]'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1'),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
};
