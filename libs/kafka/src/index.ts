export * from './topics';
export * from './kafka.factory';
export * from './kafka.module';
export * from './outbox-relay';
export * from './batch-consumer';
export * from './outbox-record.entity';
export * from './partition-tails';
export * from './outbox-relay-thread';
