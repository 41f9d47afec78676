import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time comparison of a presented secret with the configured one. Both sides are hashed first
 * so that neither the length nor the first differing byte of the token leaks through timing.
 */
export function tokensMatch(presented: string | undefined, expected: string): boolean {
  if (!presented) return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * The value of the page's session cookie: derived from the token, so the cookie is not the token itself
 * and rotating ADMIN_TOKEN logs every browser out.
 */
export function sessionCookieValue(token: string): string {
  return createHmac('sha256', token).update('messaging-admin-session').digest('base64url');
}
