import { Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AdminRole } from '../dead-letters/admin-identity';
import { InjectOptions } from '../messaging.constants';
import type { AdminOptions } from './admin.options';
import { AdminAuthThrottle } from './admin-auth-throttle';
import { AdminGuard } from './admin-guard';
import { roleOfToken } from './admin-roles';

/**
 * The JSON API: `Authorization: Bearer <ADMIN_TOKEN | ADMIN_VIEWER_TOKEN>` or 401 (cookies are not
 * accepted here: no CSRF surface). Viewers may GET only (403 otherwise). Wrong tokens are rate-limited.
 */
@Injectable()
export class AdminApiGuard extends AdminGuard {
  protected readonly defaultUser = 'admin-api';

  constructor(
    @InjectOptions('admin') admin: AdminOptions,
    private readonly throttle: AdminAuthThrottle,
  ) {
    super(admin);
  }

  protected async roleOf(request: Request, response: Response): Promise<AdminRole> {
    this.throttle.assertAllowed(request, response);
    const [scheme, token] = (request.header('authorization') ?? '').split(' ');
    const role = scheme?.toLowerCase() === 'bearer' ? roleOfToken(token, this.admin) : null;
    if (!role) {
      await this.throttle.failed(request, response);
      throw new UnauthorizedException('A valid Bearer token is required');
    }
    return role;
  }

  protected userNameOf(request: Request): string | undefined {
    return request.header('x-admin-user');
  }
}
