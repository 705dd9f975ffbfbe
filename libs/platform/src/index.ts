export * from './config/env.util';
export * from './config/common-env.schema';
export * from './config/app-config.module';
export * from './logging/logging.module';
export * from './health/health.types';
export * from './health/health.module';
export * from './health/health.controller';
export * from './http/bootstrap';
