import { createHmac } from 'node:crypto';
import type { Request } from 'express';
import type { AdminIdentity, AdminRole } from '../dead-letters/admin-identity';
import type { AdminOptions } from './admin.options';
import { ADMIN_SESSION_COOKIE, readCookie } from './admin-session';
import { sessionCookieValue, tokensMatch } from './admin-token';

/** The configured tokens by role; a viewer exists only when its token is set. */
function tokensOf(admin: AdminOptions): Array<[AdminRole, string]> {
  const tokens: Array<[AdminRole, string]> = [['operator', admin.token]];
  if (admin.viewerToken) tokens.push(['viewer', admin.viewerToken]);
  return tokens;
}

/** The role a presented token grants, or null. Every configured token is compared (constant time). */
export function roleOfToken(presented: string | undefined, admin: AdminOptions): AdminRole | null {
  let role: AdminRole | null = null;
  for (const [name, token] of tokensOf(admin)) if (tokensMatch(presented, token) && !role) role = name;
  return role;
}

/** The role of the page session cookie (derived from the token the person logged in with), or null. */
export function roleOfSession(request: Request, admin: AdminOptions): AdminRole | null {
  const cookie = readCookie(request, ADMIN_SESSION_COOKIE);
  let role: AdminRole | null = null;
  for (const [name, token] of tokensOf(admin)) {
    if (tokensMatch(cookie, sessionCookieValue(token)) && !role) role = name;
  }
  return role;
}

/**
 * The CSRF token of a session: an HMAC of the session cookie, so a form from another origin cannot know
 * it (it cannot read the HttpOnly cookie), and it changes with every token rotation. Checked on every
 * page POST besides SameSite=Strict, which older browsers and some proxies do not honour.
 */
export function csrfTokenOf(request: Request): string {
  const session = readCookie(request, ADMIN_SESSION_COOKIE) ?? '';
  return createHmac('sha256', session).update('messaging-admin-csrf').digest('base64url');
}

export function csrfMatches(request: Request, presented: unknown): boolean {
  return typeof presented === 'string' && tokensMatch(presented, csrfTokenOf(request));
}

const IDENTITY = Symbol('messaging-admin-identity');

export function setAdminIdentity(request: Request, identity: AdminIdentity): void {
  (request as unknown as Record<symbol, AdminIdentity>)[IDENTITY] = identity;
}

/** Set by AdminApiGuard / AdminPageGuard; a route behind neither has no identity. */
export function adminIdentityOf(request: Request): AdminIdentity | undefined {
  return (request as unknown as Record<symbol, AdminIdentity | undefined>)[IDENTITY];
}

/** The identity of a guarded route; a route without a guard is a programming error, not a 401. */
export function whoIs(request: Request): AdminIdentity {
  const identity = adminIdentityOf(request);
  if (!identity) throw new Error('admin route without AdminApiGuard/AdminPageGuard');
  return identity;
}
