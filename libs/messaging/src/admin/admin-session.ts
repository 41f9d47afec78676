import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { sessionCookieValue, tokensMatch } from './admin-token';

export const ADMIN_SESSION_COOKIE = 'messaging_admin';
/** The name the person typed at login; recorded as `resolved_by`. Not a secret. */
export const ADMIN_USER_COOKIE = 'messaging_admin_user';
const SESSION_MAX_AGE_MS = 12 * 3600_000;
/** The login form's CSRF token, repeated in a cookie only the login path receives (double submit). */
export const ADMIN_LOGIN_CSRF_COOKIE = 'messaging_admin_login';
const LOGIN_FORM_MAX_AGE_MS = 3600_000;

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

/**
 * A fresh login-form token, also set as a cookie for /admin/login: another site can make a browser post
 * the form but cannot read the cookie to put the same value in it, so it cannot log a victim into the
 * attacker's session (login CSRF). Before a session exists, the session-bound token cannot serve.
 */
export function issueLoginCsrf(response: Response): string {
  const token = randomBytes(24).toString('base64url');
  response.cookie(ADMIN_LOGIN_CSRF_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/admin/login',
    maxAge: LOGIN_FORM_MAX_AGE_MS,
    secure: response.req.secure,
  });
  return token;
}

export function loginCsrfMatches(request: Request, presented: unknown): boolean {
  const expected = readCookie(request, ADMIN_LOGIN_CSRF_COOKIE);
  return typeof presented === 'string' && expected !== undefined && tokensMatch(presented, expected);
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
