import { Body, Get, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AdminAudit } from '../dead-letters/admin-audit';
import { InjectOptions } from '../messaging.constants';
import type { ServiceIdentity } from '../messaging.options';
import type { AdminOptions } from './admin.options';
import { AdminAuthThrottle, AdminAuthThrottledError } from './admin-auth-throttle';
import { AdminHtmlPages } from './admin-controllers.decorators';
import { sendHtml } from './admin-html';
import { roleOfToken } from './admin-roles';
import {
  cleanUserName,
  endAdminSession,
  issueLoginCsrf,
  loginCsrfMatches,
  startAdminSession,
} from './admin-session';
import { renderLoginPage } from './views/login.view';

/** The login form and logout: the only pages without AdminPageGuard (they start and end the session). */
@AdminHtmlPages()
export class AdminLoginController {
  constructor(
    @InjectOptions('service') private readonly service: ServiceIdentity,
    @InjectOptions('admin') private readonly admin: AdminOptions,
    private readonly throttle: AdminAuthThrottle,
    private readonly audit: AdminAudit,
  ) {}

  @Get('login')
  login(@Res() response: Response): void {
    sendHtml(response, 200, renderLoginPage(this.service.serviceName, issueLoginCsrf(response)));
  }

  @Post('login')
  async submitLogin(
    @Body() body: { token?: string; name?: string; _csrf?: string },
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const admin = this.admin;
    try {
      this.throttle.assertAllowed(request, response);
      const form = (error: string) =>
        renderLoginPage(this.service.serviceName, issueLoginCsrf(response), error);
      if (!loginCsrfMatches(request, body._csrf)) {
        sendHtml(response, 403, form('The login form is missing its CSRF token or it is stale: try again.'));
        return;
      }
      const role = roleOfToken(body.token, admin);
      if (!role) {
        await this.throttle.failed(request, response);
        sendHtml(response, 401, form('That token is not valid.'));
        return;
      }
      const user = cleanUserName(body.name, 'admin');
      startAdminSession(response, role === 'operator' ? admin.token : admin.viewerToken, user);
      await this.audit.record({ role, user }, { action: 'login' });
      response.redirect(303, '/admin');
    } catch (error) {
      if (!(error instanceof AdminAuthThrottledError)) throw error;
      sendHtml(
        response,
        429,
        renderLoginPage(this.service.serviceName, issueLoginCsrf(response), error.message),
      );
    }
  }

  @Post('logout')
  logout(@Res() response: Response): void {
    endAdminSession(response);
    response.redirect(303, '/admin/login');
  }
}
