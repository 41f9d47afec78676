import type { Request, Response } from 'express';
import type { ServiceIdentity } from '../messaging.options';
import { csrfTokenOf, whoIs } from './admin-roles';
import { ADMIN_PAGE_CSP, LayoutContext } from './views/admin-layout.view';

/** Every admin page goes out with the no-script CSP and is never cached (it shows message contents). */
export function sendHtml(response: Response, status: number, body: string): void {
  response
    .status(status)
    .set('Content-Security-Policy', ADMIN_PAGE_CSP)
    .set('Cache-Control', 'no-store')
    .type('html')
    .send(body);
}

/** The layout of a guarded page: who is logged in, in which role, and the CSRF token for its forms. */
export function layoutOf(options: ServiceIdentity, request: Request): LayoutContext {
  const who = whoIs(request);
  return { serviceName: options.serviceName, user: who.user, role: who.role, csrf: csrfTokenOf(request) };
}
