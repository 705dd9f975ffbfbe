import { createServiceDataSource } from './data-source.factory';

describe('service data sources', () => {
  it('never synchronise, keep their migrations table in their own schema', () => {
    const dataSource = createServiceDataSource({ url: 'postgres://u@h/db', schema: 'intake', entities: [], migrations: [] });
    expect(dataSource.options).toMatchObject({ type: 'postgres', schema: 'intake', synchronize: false, migrationsTableName: 'typeorm_migrations' });
  });
});
