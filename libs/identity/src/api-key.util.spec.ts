import { generateApiKey, hashApiKey, hashesEqual, parseApiKey } from './api-key.util';

describe('API keys', () => {
  it('are random, parse back to their prefix, and store only a hash', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).not.toBe(b.key);
    expect(parseApiKey(a.key)).toEqual({ prefix: a.prefix });
    expect(a.hash).toBe(hashApiKey(a.key));
    expect(a.hash).not.toContain(a.key.split('_')[2]);
  });

  it('reject malformed keys before any lookup', () => {
    expect(parseApiKey('')).toBeUndefined();
    expect(parseApiKey('pw_123_abc')).toBeUndefined();
    expect(parseApiKey(`${generateApiKey().key}x`)).toBeUndefined();
  });

  it('compare hashes in constant time and only when equal', () => {
    const { hash } = generateApiKey();
    expect(hashesEqual(hash, hash)).toBe(true);
    expect(hashesEqual(hash, generateApiKey().hash)).toBe(false);
    expect(hashesEqual(hash, 'abcd')).toBe(false);
  });
});
