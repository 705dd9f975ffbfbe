const preset = require('../../jest.preset.cjs');

// Integration specs talk to the real PostgreSQL, Redis and Kafka (scripts/stack.sh up).
module.exports = {
  ...preset,
  displayName: 'notifier:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.integration-spec.ts'],
  testTimeout: 60000,
};
