import { z } from 'zod';

import { commonEnvironmentShape } from './common-env.schema';
import { EnvironmentConfigError, env, parseEnvironment } from './env.util';

const schema = z.object({ ...commonEnvironmentShape, PORT: env.port(3000), API_SECRET: z.string().min(10) });

describe('environment validation', () => {
  it('applies defaults', () => {
    const parsed = parseEnvironment(schema, { API_SECRET: '0123456789' });
    expect(parsed.PORT).toBe(3000);
    expect(parsed.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(parsed.LOG_PRETTY).toBe(false);
  });

  it('names every bad variable and never echoes a secret', () => {
    try {
      parseEnvironment(schema, { PORT: 'eighty', DATABASE_URL: 'mysql://x', API_SECRET: 'short', KAFKA_BROKERS: 'nohost' });
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(EnvironmentConfigError);
      const message = (error as Error).message;
      expect(message).toContain('PORT is "eighty"');
      expect(message).toContain('DATABASE_URL is "mysql://x": must be a postgres or postgresql URL');
      expect(message).toContain('KAFKA_BROKERS is "nohost"');
      expect(message).toContain('API_SECRET is invalid');
      expect(message).not.toContain('short');
    }
  });
});
