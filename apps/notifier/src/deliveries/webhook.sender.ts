import { request } from 'undici';

import { signWebhook } from '@pw/webhooks';

export interface WebhookAttemptResult {
  ok: boolean;
  status?: number;
  error?: string;
  /** No retry can help (a refused target, a permanent SMTP refusal). */
  permanent?: boolean;
}

/** One signed POST; the caller records the attempt and decides about retries. */
export async function sendWebhook(
  url: string,
  secret: string | undefined,
  webhookId: string,
  body: string,
  nowSeconds: number,
  timeoutMs: number,
): Promise<WebhookAttemptResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'promise-watch-notifier/1' };
  if (secret) Object.assign(headers, signWebhook(secret, webhookId, nowSeconds, body));
  else headers['webhook-id'] = webhookId;
  try {
    // undici's request, not fetch: the same client without the WHATWG streams and abort
    // signals, a few times cheaper per call. It follows no redirect: a 3xx is a failed attempt.
    const response = await request(url, { method: 'POST', headers, body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    await response.body.dump().catch(() => undefined);
    if (response.statusCode >= 200 && response.statusCode < 300) return { ok: true, status: response.statusCode };
    return { ok: false, status: response.statusCode, error: `HTTP ${response.statusCode}` };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
