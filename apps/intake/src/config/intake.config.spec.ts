import { EnvironmentConfigError } from '@pw/platform';

import { loadIntakeConfig } from './intake.config';

describe('intake configuration', () => {
  it('maps the environment into a typed object with defaults', () => {
    const config = loadIntakeConfig({});
    expect(config.http.port).toBe(3001);
    expect(config.ingest).toEqual({ maxBatch: 1000, maxBodyBytes: 1024 * 1024 });
    expect(config.kafka.clientId).toBe('intake');
  });

  it('stops on a bad value, naming it', () => {
    expect(() => loadIntakeConfig({ INTAKE_PORT: '70000' })).toThrow(EnvironmentConfigError);
    expect(() => loadIntakeConfig({ INTAKE_PORT: '70000' })).toThrow(/INTAKE_PORT is "70000"/);
  });
});

describe('intake fault injection', () => {
  it('is off unless asked for, and refuses an unknown crash point by name', () => {
    expect(loadIntakeConfig({}).faultInjection).toBe('none');
    expect(loadIntakeConfig({ INTAKE_FAULT_INJECTION: 'kill-after-commit' }).faultInjection).toBe('kill-after-commit');
    expect(() => loadIntakeConfig({ INTAKE_FAULT_INJECTION: 'explode' })).toThrow(/INTAKE_FAULT_INJECTION/);
  });
});
