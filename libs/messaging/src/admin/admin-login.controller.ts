import { Body, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AdminAudit } from '../dead-letters/admin-audit';
import { InjectOptions } from '../messaging.constants';
import type { ServiceIdentity } from '../messaging.options';
import type { AdminOptions } from './admin.options';
import { AdminAuthThrottle, AdminAuthThrottledError } from './admin-auth-throttle';
import { AdminHtmlPages, FormPost, HtmlPage } from './admin-controllers.decorators';
import { AdminPageRefusal } from './admin-html';
import { roleOfToken } from './admin-roles';
import {
  cleanUserName,
  endAdminSession,
  issueLoginCsrf,
  loginCsrfMatches,
  startAdminSession,
} from './admin-session';
import { renderLoginPage } from './views/login.view';

/**
 * The login form and logout: the only pages without AdminPageGuard (they start and end the session).
 * They keep the response (passthrough) for what only it carries: the session and login-form cookies.
 */
@AdminHtmlPages()
export class AdminLoginController {
  constructor(
    @InjectOptions('service') private readonly service: ServiceIdentity,
    @InjectOptions('admin') private readonly admin: AdminOptions,
    private readonly throttle: AdminAuthThrottle,
    private readonly audit: AdminAudit,
  ) {}

  @HtmlPage('login')
  login(@Res({ passthrough: true }) response: Response): string {
    return this.form(response);
  }

  @FormPost('login')
  async submitLogin(
    @Body() body: { token?: string; name?: string; _csrf?: string },
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ url: string }> {
    const admin = this.admin;
    try {
      this.throttle.assertAllowed(request, response);
      if (!loginCsrfMatches(request, body._csrf)) {
        const error = 'The login form is missing its CSRF token or it is stale: try again.';
        throw new AdminPageRefusal(this.form(response, error), 403);
      }
      const role = roleOfToken(body.token, admin);
      if (!role) {
        await this.throttle.failed(request, response);
        throw new AdminPageRefusal(this.form(response, 'That token is not valid.'), 401);
      }
      const user = cleanUserName(body.name, 'admin');
      startAdminSession(response, role === 'operator' ? admin.token : admin.viewerToken, user);
      await this.audit.record({ role, user }, { action: 'login' });
      return { url: '/admin' };
    } catch (error) {
      if (!(error instanceof AdminAuthThrottledError)) throw error;
      throw new AdminPageRefusal(this.form(response, error.message), 429);
    }
  }

  @FormPost('logout')
  logout(@Res({ passthrough: true }) response: Response): { url: string } {
    endAdminSession(response);
    return { url: '/admin/login' };
  }

  /** The login form, with a fresh CSRF token (its cookie twin goes on the response). */
  private form(response: Response, error?: string): string {
    return renderLoginPage(this.service.serviceName, issueLoginCsrf(response), error);
  }
}
