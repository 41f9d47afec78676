import {
  Body,
  Get,
  HttpException,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DeadLetterGroups } from '../dead-letters/dead-letter-groups';
import { InjectOptions } from '../messaging.constants';
import type { ServiceIdentity } from '../messaging.options';
import type { AdminOptions } from './admin.options';
import { AdminAudit } from '../dead-letters/admin-audit';
import { AdminAuthThrottle, AdminAuthThrottledError } from './admin-auth-throttle';
import { layoutOf, sendHtml } from './admin-html';
import { AdminPageGuard } from './admin-page.guard';
import { roleOfToken, whoIs } from './admin-roles';
import { requiredDiscardReason } from './discard-reason';
import {
  cleanUserName,
  endAdminSession,
  issueLoginCsrf,
  loginCsrfMatches,
  startAdminSession,
} from './admin-session';
import { DeadLetterAdminService } from '../dead-letters/dead-letter-admin.service';
import { DeadLetterEditor } from '../dead-letters/dead-letter-edit.service';
import { DeadLetterListQueryDto } from './dead-letter-filter.dto';
import { DeadLetterReplayer } from '../dead-letters/dead-letter-replay.service';
import { GroupActions } from '../dead-letters/group-actions.service';
import { renderDeadLetterDetail } from './views/dead-letter-detail.view';
import { renderDeadLetterList } from './views/dead-letter-list.view';
import { renderGroupsTable } from './views/failure-groups.view';
import { renderLoginPage } from './views/login.view';
import { AdminHtmlPages } from './admin-controllers.decorators';

const DONE_NOTICES: Record<string, string> = {
  replayed: 'Replayed: a new message is in the outbox and will be published shortly.',
  discarded: 'Discarded.',
  edited: 'Edited payload saved beside the original; Replay sends it.',
};

const listQueryPipe = new ValidationPipe({ transform: true, whitelist: true });

/** The server-rendered admin page (G8): forms and links only, no scripts. */
@AdminHtmlPages()
export class AdminPageController {
  constructor(
    @InjectOptions('service') private readonly service: ServiceIdentity,
    @InjectOptions('admin') private readonly admin: AdminOptions,
    private readonly deadLetters: DeadLetterAdminService,
    private readonly replayer: DeadLetterReplayer,
    private readonly editor: DeadLetterEditor,
    private readonly groups: DeadLetterGroups,
    private readonly groupActions: GroupActions,
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

  /** The first view: failure groups, then the newest dead letters (keyset pages). */
  @Get()
  @UseGuards(AdminPageGuard)
  async list(
    @Query(listQueryPipe) query: DeadLetterListQueryDto,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const [page, counts, groups] = await Promise.all([
      this.deadLetters.list(query),
      this.deadLetters.counts(),
      this.groups.list(),
    ]);
    const actions = await this.groupActions.latest(groups.map((g) => g.fingerprint));
    const context = layoutOf(this.service, request);
    // Groups head the unfiltered first page; a filtered or later page is about single messages.
    const filtered = Object.values(query).some((value) => value !== undefined);
    const groupsHtml = filtered ? '' : renderGroupsTable(groups, actions, context);
    sendHtml(response, 200, renderDeadLetterList(page, counts, query, context, groupsHtml));
  }

  @Get('dead-letters/:id')
  @UseGuards(AdminPageGuard)
  async detail(
    @Param('id') id: string,
    @Query('done') done: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const row = await this.deadLetters.get(id);
    const notice = done && DONE_NOTICES[done] ? { text: DONE_NOTICES[done] } : undefined;
    sendHtml(response, 200, renderDeadLetterDetail(row, layoutOf(this.service, request), notice));
  }

  @Post('dead-letters/:id/replay')
  @UseGuards(AdminPageGuard)
  async replay(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.act(id, 'replayed', request, response, () => this.replayer.replay(id, whoIs(request)));
  }

  @Post('dead-letters/:id/discard')
  @UseGuards(AdminPageGuard)
  async discard(
    @Param('id') id: string,
    @Body() body: { reason?: string },
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    // Inside the action: a blank reason is a refusal shown on the detail page, like any other.
    await this.act(id, 'discarded', request, response, () =>
      this.deadLetters.discard(id, requiredDiscardReason(body), whoIs(request)),
    );
  }

  @Post('dead-letters/:id/edit')
  @UseGuards(AdminPageGuard)
  async edit(
    @Param('id') id: string,
    @Body() body: { payload?: string },
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.act(id, 'edited', request, response, () =>
      this.editor.edit(id, String(body.payload ?? ''), whoIs(request)),
    );
  }

  /** Post/redirect/get on success; the detail page with the refusal (e.g. already replayed) otherwise. */
  private async act(
    id: string,
    done: string,
    request: Request,
    response: Response,
    action: () => Promise<unknown>,
  ): Promise<void> {
    try {
      await action();
    } catch (error) {
      if (!(error instanceof HttpException) || error.getStatus() === 404) throw error;
      const row = await this.deadLetters.get(id);
      const text = (error.getResponse() as { message?: string }).message ?? error.message;
      const page = renderDeadLetterDetail(row, layoutOf(this.service, request), { text, error: true });
      sendHtml(response, error.getStatus(), page);
      return;
    }
    response.redirect(303, `/admin/dead-letters/${encodeURIComponent(id)}?done=${done}`);
  }
}
