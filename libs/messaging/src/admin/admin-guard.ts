import { CanActivate, ExecutionContext, ForbiddenException } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AdminRole } from '../dead-letters/admin-identity';
import { InjectOptions } from '../messaging.constants';
import type { AdminOptions } from './admin.options';
import { setAdminIdentity } from './admin-roles';
import { cleanUserName } from './admin-session';

export const VIEWER_FORBIDDEN =
  'The viewer token is read-only: it can list and inspect but not replay, discard, edit or cancel. Use ADMIN_TOKEN.';

/**
 * The part both admin guards share once the credential is read: a viewer may only GET, a change may
 * need one more check (the page form's CSRF token), and the identity is set for the routes and the audit.
 */
export abstract class AdminGuard implements CanActivate {
  constructor(@InjectOptions('admin') protected readonly admin: AdminOptions) {}

  /** The role the request's credential grants; throws 401 when there is none. */
  protected abstract roleOf(request: Request, response: Response): AdminRole | Promise<AdminRole>;

  /** The name the caller gives, before it is cleaned (undefined: the guard's default name). */
  protected abstract userNameOf(request: Request): string | undefined;

  /** The name used when the caller gives none. */
  protected abstract readonly defaultUser: string;

  /** Checks a non-GET request of a role that may change things; throws 403 to refuse it. */
  protected checkChange(_request: Request): void {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const role = await this.roleOf(request, context.switchToHttp().getResponse<Response>());
    if (request.method !== 'GET') {
      if (role === 'viewer') throw new ForbiddenException(VIEWER_FORBIDDEN);
      this.checkChange(request);
    }
    setAdminIdentity(request, { role, user: cleanUserName(this.userNameOf(request), this.defaultUser) });
    return true;
  }
}
