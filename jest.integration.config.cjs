// Integration and end-to-end tests: real PostgreSQL, Redis and Kafka, run one file at a time.
module.exports = {
  projects: ['<rootDir>/libs/*/jest.integration.config.cjs', '<rootDir>/apps/*/jest.integration.config.cjs', '<rootDir>/test/jest.e2e.config.cjs'],
};
