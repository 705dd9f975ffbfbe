import { OUTBOX_BASE64_HEADER, outboxRowToMessage } from './outbox-relay';

describe('outboxRowToMessage', () => {
  it('sends a plain row as it is', () => {
    expect(outboxRowToMessage({ key: 'k', value: '{"a":1}', headers: { 'tenant-id': 't' } })).toEqual({
      key: 'k',
      value: '{"a":1}',
      headers: { 'tenant-id': 't' },
    });
  });

  it('decodes a base64 row to its exact bytes and drops the encoding header', () => {
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x7b]);
    const message = outboxRowToMessage({
      key: Buffer.from([0xc3, 0x28]).toString('base64'),
      value: bytes.toString('base64'),
      headers: { [OUTBOX_BASE64_HEADER]: 'base64', 'dlq-reason': 'not JSON' },
    });
    expect(Buffer.compare(message.value as Buffer, bytes)).toBe(0);
    expect(Buffer.compare(message.key as Buffer, Buffer.from([0xc3, 0x28]))).toBe(0);
    expect(message.headers).toEqual({ 'dlq-reason': 'not JSON' });
  });

  it('keeps a missing key missing', () => {
    expect(outboxRowToMessage({ key: null, value: '', headers: { [OUTBOX_BASE64_HEADER]: 'base64' } }).key).toBeNull();
  });
});
