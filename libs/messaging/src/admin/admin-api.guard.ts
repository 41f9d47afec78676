import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { InjectOptions } from '../messaging.constants';
import type { AdminOptions } from './admin.options';
import { AdminAuthThrottle } from './admin-auth-throttle';
import { roleOfToken, setAdminIdentity } from './admin-roles';
import { cleanUserName } from './admin-session';

export const VIEWER_FORBIDDEN =
  'The viewer token is read-only: it can list and inspect but not replay, discard, edit or cancel. Use ADMIN_TOKEN.';

/**
 * The JSON API: `Authorization: Bearer <ADMIN_TOKEN | ADMIN_VIEWER_TOKEN>` or 401 (cookies are not
 * accepted here: no CSRF surface). Viewers may GET only (403 otherwise). Wrong tokens are rate-limited.
 */
@Injectable()
export class AdminApiGuard implements CanActivate {
  constructor(
    @InjectOptions('admin') private readonly admin: AdminOptions,
    private readonly throttle: AdminAuthThrottle,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    this.throttle.assertAllowed(request, response);
    const [scheme, token] = (request.header('authorization') ?? '').split(' ');
    const role = scheme?.toLowerCase() === 'bearer' ? roleOfToken(token, this.admin) : null;
    if (!role) {
      await this.throttle.failed(request, response);
      throw new UnauthorizedException('A valid Bearer token is required');
    }
    if (role === 'viewer' && request.method !== 'GET') throw new ForbiddenException(VIEWER_FORBIDDEN);
    setAdminIdentity(request, { role, user: cleanUserName(request.header('x-admin-user'), 'admin-api') });
    return true;
  }
}
