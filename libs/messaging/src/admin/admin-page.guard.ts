import {
  CanActivate,
  ExecutionContext,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';
import { InjectMessagingOptions } from '../messaging.constants';
import type { ResolvedMessagingOptions } from '../messaging.options';
import { hasAdminSession } from './admin-session';

/** The HTML pages: the session cookie set by the login form, or 401 (AdminLoginFilter shows the form). */
@Injectable()
export class AdminPageGuard implements CanActivate {
  constructor(@InjectMessagingOptions() private readonly options: ResolvedMessagingOptions) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.options.admin.enabled) throw new NotFoundException();
    const request = context.switchToHttp().getRequest<Request>();
    if (!hasAdminSession(request, this.options.admin.token)) throw new UnauthorizedException();
    return true;
  }
}
