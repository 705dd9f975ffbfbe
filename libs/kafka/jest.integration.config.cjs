const preset = require('../../jest.preset.cjs');

// Against the real broker of scripts/kafka.sh.
module.exports = {
  ...preset,
  displayName: 'kafka:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.integration-spec.ts'],
  testTimeout: 90000,
};
