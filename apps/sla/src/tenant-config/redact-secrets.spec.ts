import { redactSecrets } from './tenant-config.service';

describe('redactSecrets', () => {
  it('replaces secret values at any depth and keeps the rest', () => {
    const document = {
      version: 1,
      contacts: [{ id: 'ops', webhook: { url: 'https://x.example/h', secret: 'hunter2' }, email: ['a@example.com'] }],
    };
    expect(redactSecrets(document)).toEqual({
      version: 1,
      contacts: [{ id: 'ops', webhook: { url: 'https://x.example/h', secret: '[redacted]' }, email: ['a@example.com'] }],
    });
    expect(JSON.stringify(redactSecrets(document))).not.toContain('hunter2');
  });
});
