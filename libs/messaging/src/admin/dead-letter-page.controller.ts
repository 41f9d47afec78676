import { Body, Get, HttpException, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DeadLetterAdminService } from '../dead-letters/dead-letter-admin.service';
import { DeadLetterDiscarder } from '../dead-letters/dead-letter-discard.service';
import { DeadLetterEditor } from '../dead-letters/dead-letter-edit.service';
import { DeadLetterReplayer } from '../dead-letters/dead-letter-replay.service';
import { InjectOptions } from '../messaging.constants';
import type { ServiceIdentity } from '../messaging.options';
import { AdminHtmlPages } from './admin-controllers.decorators';
import { layoutOf, sendHtml } from './admin-html';
import { AdminPageGuard } from './admin-page.guard';
import { whoIs } from './admin-roles';
import { requiredDiscardReason } from './discard-reason';
import { renderDeadLetterDetail } from './views/dead-letter-detail.view';

const DONE_NOTICES: Record<string, string> = {
  replayed: 'Replayed: a new message is in the outbox and will be published shortly.',
  discarded: 'Discarded.',
  edited: 'Edited payload saved beside the original; Replay sends it.',
};

/** One dead letter's page and the forms on it: replay, discard, edit (G8). */
@AdminHtmlPages()
@UseGuards(AdminPageGuard)
export class DeadLetterPageController {
  constructor(
    @InjectOptions('service') private readonly service: ServiceIdentity,
    private readonly deadLetters: DeadLetterAdminService,
    private readonly replayer: DeadLetterReplayer,
    private readonly discarder: DeadLetterDiscarder,
    private readonly editor: DeadLetterEditor,
  ) {}

  @Get('dead-letters/:id')
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
  async replay(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.act(id, 'replayed', request, response, () => this.replayer.replay(id, whoIs(request)));
  }

  @Post('dead-letters/:id/discard')
  async discard(
    @Param('id') id: string,
    @Body() body: { reason?: string },
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    // Inside the action: a blank reason is a refusal shown on the detail page, like any other.
    await this.act(id, 'discarded', request, response, () =>
      this.discarder.discard(id, requiredDiscardReason(body), whoIs(request)),
    );
  }

  @Post('dead-letters/:id/edit')
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
