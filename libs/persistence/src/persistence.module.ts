import { type DynamicModule, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';

import type { HealthIndicator } from '@pw/platform';

import { createServiceDataSource, initialiseAndMigrate, type ServiceDataSourceOptions } from './data-source.factory';

@Injectable()
export class PostgresHealthIndicator implements HealthIndicator {
  readonly name = 'postgres';
  constructor(private readonly dataSource: DataSource) {}
  async check(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}

@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * Provides the service's DataSource, connected and migrated before anything else starts
 * (migrations run at start; `synchronize` is never used).
 */
@Module({})
export class PersistenceModule {
  static forRoot(options: (...deps: never[]) => ServiceDataSourceOptions, inject: unknown[] = []): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      providers: [
        {
          provide: DataSource,
          inject: inject as never[],
          useFactory: async (...deps: never[]) => {
            const dataSource = createServiceDataSource(options(...deps));
            const applied = await initialiseAndMigrate(dataSource);
            if (applied.length > 0) new Logger('Persistence').log(`applied migrations: ${applied.join(', ')}`);
            return dataSource;
          },
        },
        DataSourceCloser,
        PostgresHealthIndicator,
      ],
      exports: [DataSource, PostgresHealthIndicator],
    };
  }
}
