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
    const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    return { ok: false, status: response.status, error: `HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
