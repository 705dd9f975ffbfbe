const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'webhooks',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
