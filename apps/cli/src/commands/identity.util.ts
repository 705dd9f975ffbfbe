import { createIdentityDataSource, IdentityError, IdentityService } from '@pw/identity';
import { initialiseAndMigrate } from '@pw/persistence';

import { ExitCode } from '../cli-io.type';
import { loadCliDatabaseUrl } from '../config/cli.config';

import type { CliIo } from '../cli-io.type';

/** Runs `work` with a migrated identity schema; identity errors become one stderr line, exit 2. */
export async function withIdentity(io: CliIo, work: (identity: IdentityService) => Promise<number>): Promise<number> {
  const dataSource = createIdentityDataSource(loadCliDatabaseUrl());
  try {
    await initialiseAndMigrate(dataSource);
    return await work(new IdentityService(dataSource));
  } catch (error) {
    if (error instanceof IdentityError) {
      io.stderr(`${error.message}\n`);
      return ExitCode.badInput;
    }
    throw error;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
  }
}
