import { spawn } from 'node:child_process';
import path from 'node:path';

import { isTenantId } from '@pw/identity';

import { ExitCode } from '../cli-io.type';
import { UsageError } from './command.type';

import type { CliCommand } from './command.type';

const ROOT = path.resolve(__dirname, '../../../..');

/**
 * Replay is the sla service's own code (its processing path, its schema), run as a process
 * of its own: the CLI checks the arguments and hands over, so that nothing is duplicated.
 */
export const replayCommand: CliCommand = {
  name: 'replay',
  summary: "rebuild a tenant's sla state from its retained event history; prints a JSON report",
  usage: '--tenant TENANT_ID --from INSTANT [--dry-run]',
  options: { tenant: { type: 'string' }, from: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  run({ values }, io) {
    const tenant = values['tenant'];
    const from = values['from'];
    if (typeof tenant !== 'string' || !isTenantId(tenant)) throw new UsageError('--tenant: give the tenant id (a UUID)');
    if (typeof from !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(from) || Number.isNaN(Date.parse(from))) {
      throw new UsageError('--from: give an RFC 3339 instant with an offset, such as 2026-03-02T09:00:00Z');
    }
    const args = [path.join(ROOT, 'scripts/run-ts.cjs'), path.join(ROOT, 'apps/sla/src/replay.main.ts'), '--tenant', tenant, '--from', from];
    if (values['dry-run']) args.push('--dry-run');
    return new Promise<number>((resolve) => {
      const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (chunk: Buffer) => io.stdout(chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => io.stderr(chunk.toString('utf8')));
      child.on('error', (error) => {
        io.stderr(`replay: ${error.message}\n`);
        resolve(ExitCode.internal);
      });
      child.on('close', (code) => resolve(code ?? ExitCode.internal));
    });
  },
};
