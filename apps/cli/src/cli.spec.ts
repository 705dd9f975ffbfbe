import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { runCli } from './cli';
import { ExitCode } from './cli-io.type';
import { COMMANDS } from './commands';

import type { CliIo } from './cli-io.type';

const ROOT = resolve(__dirname, '../../..');
const run = promisify(execFile);

const GOOD_CONFIG = `version: 1
calendars:
  - { id: always, timezone: UTC, hours: 24x7 }
policies:
  - id: chat
    match: { channel: [chat] }
    calendar: always
    targets: { acknowledgement: 5m, first_response: 30m }
`;
const INBOUND = { id: 'a1', kind: 'message', channel: 'chat', direction: 'inbound', occurredAt: '2026-11-05T10:00:00Z', conversationId: 'c1', customerId: 'delta' };
const REPLY = { ...INBOUND, id: 'a2', direction: 'outbound', occurredAt: '2026-11-05T10:20:00Z', agent: 'femke' };

let dir: string;
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const lines = (...values: unknown[]) => values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value))).join('\n') + '\n';

/** Runs the CLI in-process and collects what it writes. */
async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) };
  const code = await runCli(argv, io, COMMANDS);
  return { code, stdout, stderr, stderrLines: stderr.split('\n').filter((line) => line !== '') };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pw-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('simulate', () => {
  it('prints the output events of a good run as JSON lines, and nothing on standard error', async () => {
    const result = await cli('simulate', '--config', file('c.yaml', GOOD_CONFIG), '--events', file('e.jsonl', lines(INBOUND, '', REPLY)));
    expect(result.code).toBe(ExitCode.ok);
    expect(result.stderr).toBe('');
    const outputs = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; metric?: string });
    // The acknowledgement (5m) is breached at 10:05 before the reply at 10:20 meets both clocks.
    expect(outputs.map((output) => `${output.type}:${output.metric ?? ''}`)).toEqual(
      expect.arrayContaining(['sla.breached:acknowledgement', 'sla.met:first_response']),
    );
  });

  it('on a bad event line exits 2 naming the file, the line and the field, and prints nothing on standard output', async () => {
    const events = file('e.jsonl', lines(INBOUND, '', { ...REPLY, occurredAt: 'yesterday' }, { ...REPLY, id: 'a3', channel: 'pigeon' }));
    const result = await cli('simulate', '--config', file('c.yaml', GOOD_CONFIG), '--events', events);
    expect(result.code).toBe(ExitCode.badInput);
    expect(result.stdout).toBe('');
    expect(result.stderrLines).toHaveLength(2);
    expect(result.stderrLines[0]).toMatch(new RegExp(`^${escapeRegExp(events)}:3: occurredAt: `));
    expect(result.stderrLines[0]).toContain('yesterday');
    expect(result.stderrLines[1]).toMatch(new RegExp(`^${escapeRegExp(events)}:4: channel: `));
    expect(result.stderrLines[1]).toContain('pigeon');
  });

  it('reports a line that is not JSON with its line number', async () => {
    const events = file('e.jsonl', lines(INBOUND, '{"id": "a2",'));
    const result = await cli('simulate', '--config', file('c.yaml', GOOD_CONFIG), '--events', events);
    expect(result.code).toBe(ExitCode.badInput);
    expect(result.stdout).toBe('');
    expect(result.stderrLines).toEqual([expect.stringMatching(new RegExp(`^${escapeRegExp(events)}:2: is not valid JSON`))]);
  });

  it('on a bad config exits 2 naming the file and the field, and prints nothing on standard output', async () => {
    const config = file('c.yaml', GOOD_CONFIG.replace('first_response: 30m', 'first_response: soon').replace('timezone: UTC', 'timezone: Mars/Olympus'));
    const result = await cli('simulate', '--config', config, '--events', file('e.jsonl', lines(INBOUND)));
    expect(result.code).toBe(ExitCode.badInput);
    expect(result.stdout).toBe('');
    expect(result.stderrLines.length).toBeGreaterThanOrEqual(2);
    for (const line of result.stderrLines) expect(line.startsWith(`${config}: `)).toBe(true);
    expect(result.stderr).toContain('calendars[0].timezone');
    expect(result.stderr).toContain('Mars/Olympus');
    expect(result.stderr).toContain('policies[0].targets.first_response');
    expect(result.stderr).toContain('soon');
  });

  it('reports a bad config and bad events together, one line each', async () => {
    const config = file('c.yaml', GOOD_CONFIG.replace('calendar: always', 'calendar: nowhere'));
    const events = file('e.jsonl', lines({ ...INBOUND, direction: 'sideways' }));
    const result = await cli('simulate', '--config', config, '--events', events);
    expect(result.code).toBe(ExitCode.badInput);
    expect(result.stdout).toBe('');
    expect(result.stderrLines).toEqual([expect.stringContaining(`${config}: policies[0].calendar`), expect.stringContaining(`${events}:1: direction`)]);
  });

  it('names a file that cannot be read', async () => {
    const missing = join(dir, 'missing.yaml');
    const result = await cli('simulate', '--config', missing, '--events', file('e.jsonl', lines(INBOUND)));
    expect(result.code).toBe(ExitCode.badInput);
    expect(result.stdout).toBe('');
    expect(result.stderrLines).toEqual([`${missing}: cannot be read: no such file`]);
  });

  it('rejects a missing flag and a bad --until with the usage line', async () => {
    const missing = await cli('simulate', '--config', file('c.yaml', GOOD_CONFIG));
    expect(missing.code).toBe(ExitCode.badInput);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('--events is required');
    const badUntil = await cli('simulate', '--config', file('c.yaml', GOOD_CONFIG), '--events', file('e.jsonl', lines(INBOUND)), '--until', 'later');
    expect(badUntil.code).toBe(ExitCode.badInput);
    expect(badUntil.stderr).toContain('--until: "later"');
    const unknownFlag = await cli('simulate', '--colour');
    expect(unknownFlag.code).toBe(ExitCode.badInput);
    expect(unknownFlag.stderr).toContain('usage: npm run --silent cli -- simulate');
  });
});

describe('validate', () => {
  it('prints nothing and exits 0 for a good config', async () => {
    expect(await cli('validate', '--config', file('c.yaml', GOOD_CONFIG))).toMatchObject({ code: ExitCode.ok, stdout: '', stderr: '' });
  });

  it('exits 2 with one line per problem for a bad config', async () => {
    const config = file('c.yaml', 'version: 2\ncalendars: []\npolicies: 7\n');
    const result = await cli('validate', '--config', config);
    expect(result.code).toBe(ExitCode.badInput);
    expect(result.stdout).toBe('');
    expect(result.stderrLines.length).toBeGreaterThanOrEqual(2);
    expect(result.stderr).toContain(`${config}: version`);
    expect(result.stderr).toContain(`${config}: policies`);
  });

  it('reports YAML that does not parse', async () => {
    const config = file('c.yaml', 'version: 1\ncalendars: [\n');
    const result = await cli('validate', '--config', config);
    expect(result.code).toBe(ExitCode.badInput);
    expect(result.stdout).toBe('');
    expect(result.stderrLines.length).toBeGreaterThanOrEqual(1);
    for (const line of result.stderrLines) expect(line.startsWith(`${config}: `)).toBe(true);
  });
});

describe('the command line a user types (npm run --silent cli --)', () => {
  // One real process each: npm, the SWC loader and the exit code, exactly as documented.
  it('simulate on a bad event line: exit 2, the file, line and field on standard error, empty standard output', async () => {
    const events = file('e.jsonl', lines(INBOUND, { ...REPLY, conversationId: 42 }));
    const failure = await run('npm', ['run', '--silent', 'cli', '--', 'simulate', '--config', file('c.yaml', GOOD_CONFIG), '--events', events], { cwd: ROOT }).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure).toBeDefined();
    expect(failure?.code).toBe(2);
    expect(failure?.stdout).toBe('');
    expect(failure?.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^${escapeRegExp(events)}:2: conversationId: `))]);
  }, 60_000);

  it('simulate on a good run: only JSON lines on standard output', async () => {
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'cli', '--', 'simulate', '--config', file('c.yaml', GOOD_CONFIG), '--events', file('e.jsonl', lines(INBOUND, REPLY))], { cwd: ROOT });
    expect(stderr).toBe('');
    const outputLines = stdout.trim().split('\n');
    expect(outputLines.length).toBeGreaterThan(0);
    for (const line of outputLines) expect(() => JSON.parse(line)).not.toThrow();
  }, 60_000);
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
