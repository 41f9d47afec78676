import { sessionCookieValue, tokensMatch } from './admin-token';

describe('tokensMatch', () => {
  it('accepts the exact token only', () => {
    expect(tokensMatch('s3cret-token-value', 's3cret-token-value')).toBe(true);
    expect(tokensMatch('s3cret-token-valuE', 's3cret-token-value')).toBe(false);
    expect(tokensMatch('s3cret', 's3cret-token-value')).toBe(false);
    expect(tokensMatch('', 's3cret-token-value')).toBe(false);
    expect(tokensMatch(undefined, 's3cret-token-value')).toBe(false);
  });
});

describe('sessionCookieValue', () => {
  it('is derived from the token without containing it, and changes with it', () => {
    const value = sessionCookieValue('s3cret-token-value');
    expect(value).not.toContain('s3cret');
    expect(sessionCookieValue('s3cret-token-value')).toBe(value);
    expect(sessionCookieValue('another-token-value')).not.toBe(value);
  });
});
