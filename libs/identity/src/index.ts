export * from './api-key.util';
export * from './tenant.entity';
export * from './api-key.entity';
export * from './identity.service';
export * from './identity.data-source';
export * from './identity.module';
