import { keysCreateCommand } from './keys-create.command';
import { keysRevokeCommand } from './keys-revoke.command';
import { replayCommand } from './replay.command';
import { simulateCommand } from './simulate.command';
import { tenantsCreateCommand } from './tenants-create.command';
import { validateCommand } from './validate.command';

import type { CliCommand } from './command.type';

/** Every command of the CLI. A new command is one file in this folder and one line here. */
export const COMMANDS: readonly CliCommand[] = [simulateCommand, validateCommand, tenantsCreateCommand, keysCreateCommand, keysRevokeCommand, replayCommand];
