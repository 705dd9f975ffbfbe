import { ExitCode } from '../cli-io.type';
import { UsageError } from './command.type';
import { withIdentity } from './identity.util';

import type { CliCommand } from './command.type';

export const tenantsCreateCommand: CliCommand = {
  name: 'tenants create',
  summary: 'create a tenant; prints its id',
  usage: 'NAME [--if-missing] [--rate-limit N]',
  options: { 'if-missing': { type: 'boolean' }, 'rate-limit': { type: 'string' } },
  allowPositionals: true,
  run({ values, positionals }, io) {
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw new UsageError('give exactly one tenant NAME');
    const rate = values['rate-limit'] === undefined ? 2000 : Number(values['rate-limit']);
    if (!Number.isInteger(rate) || rate <= 0) throw new UsageError('--rate-limit must be a positive whole number of events per second');
    return withIdentity(io, async (identity) => {
      const existing = values['if-missing'] ? await identity.findTenant(name) : null;
      const tenant = existing ?? (await identity.createTenant(name, rate));
      io.stdout(`${tenant.id}\n`);
      return ExitCode.ok;
    });
  },
};
