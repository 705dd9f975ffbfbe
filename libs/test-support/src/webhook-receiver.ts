import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { verifyWebhook, type VerificationResult } from '@pw/webhooks';

export interface ReceivedWebhook {
  receivedAt: number;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: unknown;
  verification: VerificationResult;
}

/**
 * A local webhook receiver (demo and tests): records each delivery and whether its
 * Standard Webhooks signature verifies against `secret`.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private server: Server | undefined;
  private listeners: Array<(delivery: ReceivedWebhook) => void> = [];
  /** Answer with this status instead of 204 (to simulate a receiver that is down). */
  failWith: number | undefined;
  /** Record this many requests and never answer them (a receiver cut off mid-delivery). */
  hangNext = 0;
  /** Requests answered with `failWith`, for tests that wait for failed attempts. */
  refused = 0;

  constructor(private readonly secret: string) {}

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (this.failWith) {
          this.refused++;
          res.writeHead(this.failWith).end();
          return;
        }
        const hang = this.hangNext > 0;
        if (hang) this.hangNext--;
        const rawBody = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(rawBody);
        } catch {
          body = rawBody;
        }
        const delivery: ReceivedWebhook = {
          receivedAt: Date.now(),
          headers: req.headers,
          rawBody,
          body,
          verification: verifyWebhook(this.secret, req.headers as Record<string, string>, rawBody, Math.floor(Date.now() / 1000)),
        };
        this.received.push(delivery);
        if (!hang) res.writeHead(204).end();
        for (const listener of this.listeners) listener(delivery);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const address = this.server.address() as AddressInfo;
    return `http://${host}:${address.port}/hooks`;
  }

  onDelivery(listener: (delivery: ReceivedWebhook) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves with the first delivery (already received or future) that satisfies `predicate`. */
  waitFor(predicate: (delivery: ReceivedWebhook) => boolean, timeoutMs: number): Promise<ReceivedWebhook> {
    const found = this.received.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching webhook within ${timeoutMs} ms (${this.received.length} received)`)), timeoutMs);
      this.listeners.push((delivery) => {
        if (predicate(delivery)) {
          clearTimeout(timer);
          resolve(delivery);
        }
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
