const preset = require('../jest.preset.cjs');

// End-to-end: the three services as real processes on real Kafka, PostgreSQL and Redis.
module.exports = {
  ...preset,
  displayName: 'e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.e2e-spec.ts'],
  testTimeout: 180000,
};
