const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'test-support',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
