import type { DataSource } from 'typeorm';

import { createIdentityDataSource } from '@pw/identity';
import { createServiceDataSource, initialiseAndMigrate } from '@pw/persistence';

import { intakeDataSourceOptions } from '../apps/intake/src/data-source';
import { notifierDataSourceOptions } from '../apps/notifier/src/data-source';
import { slaDataSourceOptions } from '../apps/sla/src/data-source';

// Entities and migrations never drift: after the migrations ran, TypeORM's schema builder
// must find nothing to change (what `migration:generate` would otherwise write).
describe('schema drift', () => {
  const url = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/promise_watch_test';
  const cases: Array<[string, () => DataSource]> = [
    ['identity', () => createIdentityDataSource(url)],
    ['intake', () => createServiceDataSource(intakeDataSourceOptions(url))],
    ['sla', () => createServiceDataSource(slaDataSourceOptions(url))],
    ['notifier', () => createServiceDataSource(notifierDataSourceOptions(url))],
  ];

  it.each(cases)('%s: migrations match the entities', async (_name, create) => {
    const dataSource = create();
    try {
      await initialiseAndMigrate(dataSource);
      const pending = await dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((query) => query.query)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
