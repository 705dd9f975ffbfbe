import { checkWebhookTarget } from './webhook-target.policy';

describe('webhook targets', () => {
  it('accept https on public hosts', () => {
    expect(checkWebhookTarget('https://ops.example.com/hooks', [])).toEqual({ ok: true });
  });
  it('refuse plain http, loopback and private addresses unless allow-listed', () => {
    expect(checkWebhookTarget('http://ops.example.com/hooks', []).ok).toBe(false);
    expect(checkWebhookTarget('https://127.0.0.1/hooks', []).ok).toBe(false);
    expect(checkWebhookTarget('https://10.1.2.3/hooks', []).ok).toBe(false);
    expect(checkWebhookTarget('https://[::1]/hooks', []).ok).toBe(false);
    expect(checkWebhookTarget('https://localhost/hooks', []).ok).toBe(false);
    expect(checkWebhookTarget('http://127.0.0.1:4000/hooks', ['127.0.0.1'])).toEqual({ ok: true });
  });
  it('refuse what is not a URL', () => {
    expect(checkWebhookTarget('not a url', [])).toEqual({ ok: false, reason: 'not a URL' });
  });
});
