const preset = require('../../jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'notifier',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
