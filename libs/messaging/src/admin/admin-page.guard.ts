import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request } from 'express';
import type { AdminRole } from '../dead-letters/admin-identity';
import { AdminGuard } from './admin-guard';
import { csrfMatches, roleOfSession } from './admin-roles';
import { ADMIN_USER_COOKIE, readCookie } from './admin-session';

/**
 * The HTML pages: the session cookie set by the login form, or 401 (AdminLoginFilter shows the form).
 * A POST needs the operator role and the session's CSRF token in the form (`_csrf`).
 */
@Injectable()
export class AdminPageGuard extends AdminGuard {
  protected readonly defaultUser = 'admin';

  protected roleOf(request: Request): AdminRole {
    const role = roleOfSession(request, this.admin);
    if (!role) throw new UnauthorizedException();
    return role;
  }

  protected override checkChange(request: Request): void {
    const body = request.body as Record<string, unknown> | undefined;
    if (!csrfMatches(request, body?._csrf)) {
      throw new ForbiddenException('The form is missing its CSRF token or it is stale: reload the page');
    }
  }

  protected userNameOf(request: Request): string | undefined {
    return readCookie(request, ADMIN_USER_COOKIE);
  }
}
