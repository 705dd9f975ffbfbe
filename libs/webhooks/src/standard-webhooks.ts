import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com) signatures: HMAC-SHA256 over
 * `${id}.${timestamp}.${rawBody}`, sent as `webhook-signature: v1,<base64>`.
 * A secret written `whsec_<base64>` is decoded as the spec says; any other secret string is
 * used as its UTF-8 bytes (what most users type into a config file).
 */
export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

function secretBytes(secret: string): Buffer {
  if (secret.startsWith('whsec_')) return Buffer.from(secret.slice('whsec_'.length), 'base64');
  return Buffer.from(secret, 'utf8');
}

export function computeSignature(secret: string, id: string, timestampSeconds: number, rawBody: string | Buffer): string {
  const hmac = createHmac('sha256', secretBytes(secret));
  hmac.update(`${id}.${timestampSeconds}.`);
  hmac.update(rawBody);
  return `v1,${hmac.digest('base64')}`;
}

/** The three headers for one delivery; `id` must stay the same across retries. */
export function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  rawBody: string | Buffer,
): Record<(typeof WEBHOOK_HEADERS)[keyof typeof WEBHOOK_HEADERS], string> {
  return {
    [WEBHOOK_HEADERS.id]: id,
    [WEBHOOK_HEADERS.timestamp]: String(timestampSeconds),
    [WEBHOOK_HEADERS.signature]: computeSignature(secret, id, timestampSeconds, rawBody),
  };
}

export type VerificationResult = { valid: true; id: string } | { valid: false; reason: string };

/** Verifies a received delivery; `nowSeconds` is passed in so that callers control time. */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string | Buffer,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerificationResult {
  const header = (name: string): string | undefined => {
    const value = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  const id = header(WEBHOOK_HEADERS.id);
  const timestamp = header(WEBHOOK_HEADERS.timestamp);
  const signatures = header(WEBHOOK_HEADERS.signature);
  if (!id) return { valid: false, reason: `missing ${WEBHOOK_HEADERS.id}` };
  if (!timestamp || !/^\d+$/.test(timestamp)) return { valid: false, reason: `missing or bad ${WEBHOOK_HEADERS.timestamp}` };
  if (!signatures) return { valid: false, reason: `missing ${WEBHOOK_HEADERS.signature}` };
  const seconds = Number(timestamp);
  if (Math.abs(nowSeconds - seconds) > toleranceSeconds) return { valid: false, reason: 'timestamp outside tolerance' };
  const expected = Buffer.from(computeSignature(secret, id, seconds, rawBody).slice(3), 'base64');
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { valid: true, id };
  }
  return { valid: false, reason: 'no signature matches' };
}
