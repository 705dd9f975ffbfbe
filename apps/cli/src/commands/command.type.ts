import type { CliIo } from '../cli-io.type';
import type { ParseArgsConfig } from 'node:util';

export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

export interface CommandArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * One CLI command. `name` may have several words (`tenants create`); the registry picks the
 * command whose words start the command line.
 */
export interface CliCommand {
  name: string;
  summary: string;
  /** The arguments after the name, as shown in the usage line. */
  usage: string;
  options: CommandOptions;
  /** Whether the command takes positional arguments after its name. */
  allowPositionals?: boolean;
  run(args: CommandArgs, io: CliIo): Promise<number> | number;
}

/** A usage problem (missing flag, bad flag value): reported with the usage line, exit 2. */
export class UsageError extends Error {}
