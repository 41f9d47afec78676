import {
  Body,
  Controller,
  Get,
  HttpException,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { InjectMessagingOptions } from '../messaging.constants';
import type { ResolvedMessagingOptions } from '../messaging.options';
import { AdminLoginFilter } from './admin-login.filter';
import { AdminPageGuard } from './admin-page.guard';
import { adminUserOf, cleanUserName, endAdminSession, startAdminSession } from './admin-session';
import { tokensMatch } from './admin-token';
import { DeadLetterAdminService } from './dead-letter-admin.service';
import { DeadLetterListQueryDto } from './dead-letter-filter.dto';
import { DeadLetterReplayer } from './dead-letter-replayer';
import { ADMIN_PAGE_CSP, LayoutContext } from './views/admin-layout.view';
import { renderDeadLetterDetail } from './views/dead-letter-detail.view';
import { renderDeadLetterList } from './views/dead-letter-list.view';
import { renderLoginPage } from './views/login.view';

const DONE_NOTICES: Record<string, string> = {
  replayed: 'Replayed: a new message is in the outbox and will be published shortly.',
  discarded: 'Discarded.',
};

const listQueryPipe = new ValidationPipe({ transform: true, whitelist: true });

/** The server-rendered admin page (G8): forms and links only, no scripts. */
@ApiExcludeController()
@Controller('admin')
@UseFilters(AdminLoginFilter)
export class AdminPageController {
  constructor(
    @InjectMessagingOptions() private readonly options: ResolvedMessagingOptions,
    private readonly deadLetters: DeadLetterAdminService,
    private readonly replayer: DeadLetterReplayer,
  ) {}

  @Get('login')
  login(@Res() response: Response): void {
    this.html(response, 200, renderLoginPage(this.options.serviceName));
  }

  @Post('login')
  submitLogin(@Body() body: { token?: string; name?: string }, @Res() response: Response): void {
    if (!this.options.admin.enabled || !tokensMatch(body.token, this.options.admin.token)) {
      this.html(response, 401, renderLoginPage(this.options.serviceName, 'That token is not valid.'));
      return;
    }
    startAdminSession(response, this.options.admin.token, cleanUserName(body.name, 'admin'));
    response.redirect(303, '/admin');
  }

  @Post('logout')
  logout(@Res() response: Response): void {
    endAdminSession(response);
    response.redirect(303, '/admin/login');
  }

  @Get()
  @UseGuards(AdminPageGuard)
  async list(
    @Query(listQueryPipe) query: DeadLetterListQueryDto,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const [page, counts] = await Promise.all([this.deadLetters.list(query), this.deadLetters.counts()]);
    this.html(response, 200, renderDeadLetterList(page, counts, query, this.layout(request)));
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
    this.html(response, 200, renderDeadLetterDetail(row, this.layout(request), notice));
  }

  @Post('dead-letters/:id/replay')
  @UseGuards(AdminPageGuard)
  async replay(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.act(id, 'replayed', request, response, () =>
      this.replayer.replay(id, adminUserOf(request, 'admin')),
    );
  }

  @Post('dead-letters/:id/discard')
  @UseGuards(AdminPageGuard)
  async discard(
    @Param('id') id: string,
    @Body() body: { reason?: string },
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const reason = (body.reason ?? '').trim().slice(0, 2000);
    await this.act(id, 'discarded', request, response, () =>
      reason
        ? this.deadLetters.discard(id, reason, adminUserOf(request, 'admin'))
        : Promise.reject(new HttpException({ message: 'A reason is required to discard' }, 400)),
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
      this.html(
        response,
        error.getStatus(),
        renderDeadLetterDetail(row, this.layout(request), { text, error: true }),
      );
      return;
    }
    response.redirect(303, `/admin/dead-letters/${encodeURIComponent(id)}?done=${done}`);
  }

  private layout(request: Request): LayoutContext {
    return { serviceName: this.options.serviceName, user: adminUserOf(request, 'admin') };
  }

  private html(response: Response, status: number, body: string): void {
    response
      .status(status)
      .set('Content-Security-Policy', ADMIN_PAGE_CSP)
      .set('Cache-Control', 'no-store')
      .type('html')
      .send(body);
  }
}
