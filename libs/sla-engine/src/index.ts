export * from './state/engine-state.type';
export * from './state/engine-state.factory';
export * from './config/engine-config';
export * from './engine/engine-context';
export * from './engine/sla-engine';
export * from './store/in-memory-state.store';
export * from './simulation/timer-heap';
export * from './simulation/simulation.runner';
