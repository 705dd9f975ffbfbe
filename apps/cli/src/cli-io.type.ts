/** Where a command writes. Standard output carries only the command's own output. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Exit codes of the CLI. */
export const ExitCode = {
  ok: 0,
  /** An unexpected failure (a bug); one line on standard error, no stack trace. */
  internal: 1,
  /** Bad usage or a bad input file. */
  badInput: 2,
} as const;
