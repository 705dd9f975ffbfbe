import { type DynamicModule, Module } from '@nestjs/common';

export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * Makes a service's typed configuration injectable (`@Inject(APP_CONFIG)`). The loader
 * runs inside Nest's start-up, so a bad environment fails there with a clear message.
 */
@Module({})
export class AppConfigModule {
  static forRoot<T>(load: (env: Record<string, string | undefined>) => T): DynamicModule {
    return {
      module: AppConfigModule,
      global: true,
      providers: [{ provide: APP_CONFIG, useFactory: () => load(process.env) }],
      exports: [APP_CONFIG],
    };
  }
}
