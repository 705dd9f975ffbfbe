import { computeSignature, signWebhook, verifyWebhook } from './standard-webhooks';

describe('Standard Webhooks signatures', () => {
  // Test vector from the Standard Webhooks specification's reference libraries.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const timestamp = 1614265330;
  const body = '{"test": 2432232314}';

  it('matches the reference signature', () => {
    expect(computeSignature(secret, id, timestamp, body)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('verifies what it signs, within the tolerance', () => {
    const headers = signWebhook(secret, id, timestamp, body);
    expect(verifyWebhook(secret, headers, body, timestamp + 10)).toEqual({ valid: true, id });
  });

  it('rejects a changed body, a wrong secret, an old timestamp and missing headers', () => {
    const headers = signWebhook(secret, id, timestamp, body);
    expect(verifyWebhook(secret, headers, `${body} `, timestamp).valid).toBe(false);
    expect(verifyWebhook('other-secret', headers, body, timestamp).valid).toBe(false);
    expect(verifyWebhook(secret, headers, body, timestamp + 301)).toEqual({ valid: false, reason: 'timestamp outside tolerance' });
    expect(verifyWebhook(secret, {}, body, timestamp)).toEqual({ valid: false, reason: 'missing webhook-id' });
  });

  it('accepts any of several space-separated signatures (key rotation)', () => {
    const headers = signWebhook(secret, id, timestamp, body);
    headers['webhook-signature'] = `v1,AAAA ${headers['webhook-signature']}`;
    expect(verifyWebhook(secret, headers, body, timestamp).valid).toBe(true);
  });

  it('uses a plain secret string as its UTF-8 bytes', () => {
    const headers = signWebhook('plain-secret', id, timestamp, body);
    expect(verifyWebhook('plain-secret', headers, body, timestamp).valid).toBe(true);
    expect(verifyWebhook('plain-secreT', headers, body, timestamp).valid).toBe(false);
  });
});
