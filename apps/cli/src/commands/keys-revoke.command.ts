import { ExitCode } from '../cli-io.type';
import { UsageError } from './command.type';
import { withIdentity } from './identity.util';

import type { CliCommand } from './command.type';

export const keysRevokeCommand: CliCommand = {
  name: 'keys revoke',
  summary: 'revoke an API key by its id',
  usage: 'KEY_ID',
  options: {},
  allowPositionals: true,
  run({ positionals }, io) {
    const [id, ...extra] = positionals;
    if (!id || extra.length > 0 || !/^[0-9a-f-]{36}$/.test(id)) throw new UsageError('give exactly one KEY_ID (a uuid)');
    return withIdentity(io, async (identity) => {
      await identity.revokeKey(id);
      return ExitCode.ok;
    });
  },
};
