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
import { tokensMatch } from './admin-token';

/** The JSON API: `Authorization: Bearer <ADMIN_TOKEN>` or 401. Cookies are not accepted here (no CSRF surface). */
@Injectable()
export class AdminApiGuard implements CanActivate {
  constructor(@InjectMessagingOptions() private readonly options: ResolvedMessagingOptions) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.options.admin.enabled) throw new NotFoundException();
    const request = context.switchToHttp().getRequest<Request>();
    const [scheme, token] = (request.header('authorization') ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !tokensMatch(token, this.options.admin.token)) {
      throw new UnauthorizedException('A valid Bearer token is required');
    }
    return true;
  }
}
