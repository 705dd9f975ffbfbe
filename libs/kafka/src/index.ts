export * from './topics';
export * from './kafka.factory';
export * from './kafka.module';
