import { parseArgs } from 'node:util';

import { ExitCode } from './cli-io.type';
import { UsageError } from './commands/command.type';

import type { CliIo } from './cli-io.type';
import type { CliCommand } from './commands/command.type';

const PROGRAM = 'npm run --silent cli --';

function usageLine(command: CliCommand): string {
  return `usage: ${PROGRAM} ${command.name} ${command.usage}`;
}

function overview(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    `usage: ${PROGRAM} <command> [options]`,
    '',
    'commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
  ].join('\n');
}

/** The command whose (possibly several) words start `argv`, the longest name winning. */
function findCommand(commands: readonly CliCommand[], argv: readonly string[]): CliCommand | undefined {
  return [...commands]
    .sort((a, b) => b.name.split(' ').length - a.name.split(' ').length)
    .find((command) => command.name.split(' ').every((word, index) => argv[index] === word));
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly CliCommand[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    (argv.length === 0 ? io.stderr : io.stdout)(overview(commands));
    return argv.length === 0 ? ExitCode.badInput : ExitCode.ok;
  }
  const command = findCommand(commands, argv);
  if (!command) {
    io.stderr(`unknown command ${JSON.stringify(argv[0])}\n${overview(commands)}`);
    return ExitCode.badInput;
  }
  const rest = argv.slice(command.name.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${usageLine(command)}\n`);
    return ExitCode.ok;
  }
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs({ args: [...rest], options: command.options, strict: true, allowPositionals: command.allowPositionals ?? false });
  } catch (error) {
    io.stderr(`${(error as Error).message.split('\n')[0]}\n${usageLine(command)}\n`);
    return ExitCode.badInput;
  }
  try {
    return await command.run({ values: args.values as Record<string, string | boolean | undefined>, positionals: args.positionals }, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\n${usageLine(command)}\n`);
      return ExitCode.badInput;
    }
    io.stderr(`internal error: ${(error as Error).message ?? String(error)}\n`);
    return ExitCode.internal;
  }
}
