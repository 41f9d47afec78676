import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';
import { InjectOptions } from '../messaging.constants';
import type { AdminOptions } from './admin.options';
import { VIEWER_FORBIDDEN } from './admin-api.guard';
import { csrfMatches, roleOfSession, setAdminIdentity } from './admin-roles';
import { ADMIN_USER_COOKIE, cleanUserName, readCookie } from './admin-session';

/**
 * The HTML pages: the session cookie set by the login form, or 401 (AdminLoginFilter shows the form).
 * A POST needs the operator role and the session's CSRF token in the form (`_csrf`).
 */
@Injectable()
export class AdminPageGuard implements CanActivate {
  constructor(@InjectOptions('admin') private readonly admin: AdminOptions) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const role = roleOfSession(request, this.admin);
    if (!role) throw new UnauthorizedException();
    if (request.method !== 'GET') {
      if (role === 'viewer') throw new ForbiddenException(VIEWER_FORBIDDEN);
      const body = request.body as Record<string, unknown> | undefined;
      if (!csrfMatches(request, body?._csrf)) {
        throw new ForbiddenException('The form is missing its CSRF token or it is stale: reload the page');
      }
    }
    setAdminIdentity(request, { role, user: cleanUserName(readCookie(request, ADMIN_USER_COOKIE), 'admin') });
    return true;
  }
}
