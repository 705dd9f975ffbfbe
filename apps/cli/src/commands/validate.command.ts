import { ExitCode } from '../cli-io.type';
import { loadConfigFile } from '../files/config-file.util';
import { UsageError } from './command.type';

import type { CliCommand } from './command.type';

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'check a configuration document; prints nothing when it is good',
  usage: '--config FILE',
  options: { config: { type: 'string' } },
  run({ values }, io) {
    const path = values.config;
    if (typeof path !== 'string') throw new UsageError('--config is required');
    const loaded = loadConfigFile(path);
    if (loaded.ok) return ExitCode.ok;
    for (const error of loaded.errors) io.stderr(`${error}\n`);
    return ExitCode.badInput;
  },
};
