export * from './webhook-receiver';
export * from './expect-eventually';
export * from './service-process';
export * from './topic-tap';
export * from './interaction-stream';
