import type { Request, Response } from 'express';
import { sessionCookieValue } from './admin-token';

export const ADMIN_SESSION_COOKIE = 'messaging_admin';
/** The name the person typed at login; recorded as `resolved_by`. Not a secret. */
export const ADMIN_USER_COOKIE = 'messaging_admin_user';
const SESSION_MAX_AGE_MS = 12 * 3600_000;

/** Reads one cookie from the request header (no cookie-parser needed for two cookies). */
export function readCookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(value.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * HttpOnly (scripts cannot read it), SameSite=Strict (another site's form cannot post with it, which is
 * the page's CSRF protection), scoped to /admin.
 */
export function startAdminSession(response: Response, token: string, user: string): void {
  const options = {
    httpOnly: true,
    sameSite: 'strict' as const,
    path: '/admin',
    maxAge: SESSION_MAX_AGE_MS,
    secure: response.req.secure,
  };
  response.cookie(ADMIN_SESSION_COOKIE, sessionCookieValue(token), options);
  response.cookie(ADMIN_USER_COOKIE, user, options);
}

export function endAdminSession(response: Response): void {
  response.clearCookie(ADMIN_SESSION_COOKIE, { path: '/admin' });
  response.clearCookie(ADMIN_USER_COOKIE, { path: '/admin' });
}

/** Who resolves a dead letter: the login name on the page, `X-Admin-User` on the API (else the token's name). */
export function adminUserOf(request: Request, fallback: string): string {
  return cleanUserName(readCookie(request, ADMIN_USER_COOKIE) ?? request.header('x-admin-user'), fallback);
}

/** A name as typed, reduced to characters safe in a cookie and a log line. */
export function cleanUserName(raw: string | undefined, fallback: string): string {
  const clean = (raw ?? '')
    .replace(/[^\w .@-]/g, '')
    .trim()
    .slice(0, 100);
  return clean || fallback;
}
