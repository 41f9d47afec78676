import { errorClassOf, failureFingerprint, normalizeError } from './failure-fingerprint';

const cause = (error: string, more: Partial<Parameters<typeof failureFingerprint>[0]> = {}) =>
  failureFingerprint({
    origin: 'consume',
    source: 'billing.orders',
    reason: 'handler-error',
    errorClass: null,
    error,
    ...more,
  }).fingerprint;

describe('failure fingerprints', () => {
  it('strips numbers, ids, UUIDs, e-mails and quoted values from the error text', () => {
    expect(
      normalizeError(
        `order 42 of "Alice" (id 3f2b1c4e-0000-4a1b-9c3d-1234567890ab, ref 0a1b2c3d4e5f6a7b) for bob@example.com: 'x'`,
      ),
    ).toBe('order <n> of <v> (id <id>, ref <id>) for <email>: <v>');
    expect(normalizeError('order-17 failed after 3 tries')).toBe('<n> failed after <n> tries');
    expect(normalizeError(null)).toBe('');
  });

  it('puts failures of one cause in one group, whatever their values', () => {
    expect(cause('no customer 17 for order "o-1"')).toBe(cause('no customer 99 for order "o-2"'));
  });

  it('separates groups by side, source, reason, error class and message', () => {
    const base = cause('boom');
    expect(cause('boom', { origin: 'publish' })).not.toBe(base);
    expect(cause('boom', { source: 'other' })).not.toBe(base);
    expect(cause('boom', { reason: 'malformed-json' })).not.toBe(base);
    expect(cause('boom', { errorClass: 'TypeError' })).not.toBe(base);
    expect(cause('bang')).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{16}$/);
  });

  it('reads an error class from the start of the text when none is given', () => {
    expect(errorClassOf('TypeError: x is undefined')).toBe('TypeError');
    expect(errorClassOf('QueryFailedException at line')).toBe('QueryFailedException');
    expect(errorClassOf('no class here')).toBeNull();
  });
});
