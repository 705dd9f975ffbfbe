import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SCOPES = ['ingest', 'read', 'respond', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/**
 * Keys read `pw_<prefix>_<secret>`. The prefix finds the row; only a SHA-256 of the whole
 * key is stored (the secret has 192 random bits, so a slow password hash buys nothing),
 * and the key itself is shown once, at creation.
 */
export interface GeneratedApiKey {
  key: string;
  prefix: string;
  hash: string;
}

export function generateApiKey(): GeneratedApiKey {
  const prefix = randomBytes(6).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  const key = `pw_${prefix}_${secret}`;
  return { key, prefix, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function parseApiKey(key: string): { prefix: string } | undefined {
  const match = /^pw_([0-9a-f]{12})_[A-Za-z0-9_-]{32}$/.exec(key);
  return match ? { prefix: match[1] } : undefined;
}

export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
