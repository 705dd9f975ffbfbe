import { ExitCode } from '../cli-io.type';
import { UsageError } from './command.type';
import { withIdentity } from './identity.util';

import type { CliCommand } from './command.type';

export const keysCreateCommand: CliCommand = {
  name: 'keys create',
  summary: 'create an API key for a tenant; prints the key (shown only this once)',
  usage: 'TENANT --scope ingest|read|respond|admin [--scope …] [--label TEXT]',
  options: { scope: { type: 'string', multiple: true }, label: { type: 'string' } },
  allowPositionals: true,
  run({ values, positionals }, io) {
    const [tenant, ...extra] = positionals;
    if (!tenant || extra.length > 0) throw new UsageError('give exactly one TENANT name');
    const scopes = ((values['scope'] as unknown as string[] | undefined) ?? []).flatMap((scope) => scope.split(','));
    if (scopes.length === 0) throw new UsageError('--scope is required');
    return withIdentity(io, async (identity) => {
      const created = await identity.createKey(tenant, scopes, (values['label'] as string | undefined) ?? null);
      io.stdout(`${created.key}\n`);
      io.stderr(`key ${created.id} for ${tenant} with scopes ${created.scopes.join(', ')}; store it now, it is not shown again\n`);
      return ExitCode.ok;
    });
  },
};
