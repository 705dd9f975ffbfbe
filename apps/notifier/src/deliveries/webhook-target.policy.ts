import { isIP } from 'node:net';

/**
 * A webhook target must be https, or a host on the allow-list; loopback, private and
 * link-local addresses are refused unless allow-listed (no requests into our own network).
 */
export function checkWebhookTarget(url: string, allowHosts: readonly string[]): { ok: true } | { ok: false; reason: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const allowed = allowHosts.includes(host);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && allowed)) {
    return { ok: false, reason: `${parsed.protocol} targets need https, or the host on the allow-list` };
  }
  if (!allowed && (host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host))) {
    return { ok: false, reason: `${host} is a private or loopback address and not on the allow-list` };
  }
  return { ok: true };
}

export function isPrivateAddress(host: string): boolean {
  const family = isIP(host);
  if (family === 4) {
    const [a, b] = host.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (family === 6) {
    return host === '::1' || host === '::' || host.startsWith('fc') || host.startsWith('fd') || host.startsWith('fe80') || host.startsWith('::ffff:');
  }
  return false;
}
