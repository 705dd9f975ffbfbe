import { type DynamicModule, type InjectionToken, type ModuleMetadata, Module } from '@nestjs/common';

import { HealthController } from './health.controller';
import { HEALTH_INDICATORS, type HealthIndicator } from './health.types';

@Module({})
export class HealthModule {
  /** `indicators` are provider tokens whose instances implement HealthIndicator. */
  static register(options: { imports?: ModuleMetadata['imports']; indicators: InjectionToken[] }): DynamicModule {
    return {
      module: HealthModule,
      imports: options.imports ?? [],
      controllers: [HealthController],
      providers: [
        {
          provide: HEALTH_INDICATORS,
          useFactory: (...indicators: HealthIndicator[]) => indicators,
          inject: options.indicators,
        },
      ],
    };
  }
}
