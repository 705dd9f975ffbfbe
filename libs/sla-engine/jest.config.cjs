const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'sla-engine',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
