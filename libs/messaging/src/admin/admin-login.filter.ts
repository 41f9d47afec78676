import { ArgumentsHost, Catch, ExceptionFilter, UnauthorizedException } from '@nestjs/common';
import type { Response } from 'express';
import { InjectOptions } from '../messaging.constants';
import type { ServiceIdentity } from '../messaging.options';
import { issueLoginCsrf } from './admin-session';
import { ADMIN_PAGE_CSP } from './views/admin-layout.view';
import { renderLoginPage } from './views/login.view';

/** A page request without a session gets the login form, with status 401 (no redirect dance). */
@Catch(UnauthorizedException)
export class AdminLoginFilter implements ExceptionFilter {
  constructor(@InjectOptions('service') private readonly service: ServiceIdentity) {}

  catch(_exception: UnauthorizedException, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const csrf = issueLoginCsrf(response);
    response
      .status(401)
      .set('Content-Security-Policy', ADMIN_PAGE_CSP)
      .type('html')
      .send(renderLoginPage(this.service.serviceName, csrf));
  }
}
