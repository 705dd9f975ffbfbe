import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

export interface RunningService {
  name: string;
  url: string;
  process: ChildProcess;
  logs: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts one of the apps as a real child process (from source) and resolves once its
 * /health/ready answers 200. Its log lines are kept for the test's failure message.
 */
export async function startService(name: 'intake' | 'sla' | 'notifier', port: number, env: Record<string, string>, timeoutMs = 60_000): Promise<RunningService> {
  const portVariable = { intake: 'INTAKE_PORT', sla: 'SLA_PORT', notifier: 'NOTIFIER_PORT' }[name];
  // A stale instance on the port would answer the readiness check in the new one's place.
  const busy = await fetch(`http://127.0.0.1:${port}/health/live`).then(
    () => true,
    () => false,
  );
  if (busy) throw new Error(`${name}: port ${port} is already taken (a stale process? pgrep -af main.ts)`);
  // SERVICE_NODE_ARGS: extra node flags for the service, e.g. "--prof" to profile it under a benchmark.
  const nodeArgs = (process.env['SERVICE_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'scripts/run-ts.cjs'), path.join(ROOT, `apps/${name}/src/main.ts`)], {
    cwd: ROOT,
    env: { ...process.env, ...env, [portVariable]: String(port), LOG_PRETTY: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const keep = (chunk: Buffer) => {
    logs.push(chunk.toString('utf8'));
    if (logs.length > 500) logs.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode}:\n${logs.join('').slice(-4000)}`);
    try {
      const response = await fetch(`${url}/health/ready`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${logs.join('').slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    name,
    url,
    process: child,
    logs,
    stop: (signal: NodeJS.Signals = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        // Gone already (exited, or killed by a signal: then exitCode stays null).
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill(signal);
      }),
  };
}
