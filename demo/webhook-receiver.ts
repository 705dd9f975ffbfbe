// The demo's webhook receiver: prints each delivery and whether its Standard Webhooks
// signature verifies. Run by scripts/start.sh; port and secret come from the environment.
import { createServer } from 'node:http';

import { verifyWebhook } from '@pw/webhooks';

const port = Number(process.env['DEMO_RECEIVER_PORT'] ?? 4000);
const secret = process.env['DEMO_WEBHOOK_SECRET'] ?? '';

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    const check = verifyWebhook(secret, req.headers as Record<string, string>, raw, Math.floor(Date.now() / 1000));
    let summary = raw;
    try {
      const body = JSON.parse(raw) as { cause?: { type?: string; conversationId?: string; metric?: string; dueAt?: string } };
      const cause = body.cause ?? {};
      summary = `${cause.type} conversation=${cause.conversationId} metric=${cause.metric ?? '-'} dueAt=${cause.dueAt ?? '-'}`;
    } catch {
      // not JSON: print as is
    }
    const verdict = check.valid ? 'signature OK' : `signature INVALID (${check.reason})`;
    process.stdout.write(`\n[demo receiver] ${new Date().toISOString()} webhook ${req.headers['webhook-id']}: ${summary} — ${verdict}\n`);
    res.writeHead(check.valid ? 204 : 401).end();
  });
}).listen(port, '127.0.0.1', () => process.stdout.write(`[demo receiver] listening on http://127.0.0.1:${port}/hooks\n`));
