import { Body, HttpException, NotFoundException, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AdminIdentity } from '../dead-letters/admin-identity';
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

/** The forms on a dead letter's page: replay, discard, edit (G8). The notices after them: AdminPageController. */
@AdminHtmlPages()
@UseGuards(AdminPageGuard)
export class DeadLetterFormsController {
  constructor(
    @InjectOptions('service') private readonly service: ServiceIdentity,
    private readonly deadLetters: DeadLetterAdminService,
    private readonly replayer: DeadLetterReplayer,
    private readonly discarder: DeadLetterDiscarder,
    private readonly editor: DeadLetterEditor,
  ) {}

  /** The detail page's forms (replay, discard, edit) post here. */
  @Post('dead-letters/:id/:form')
  async submit(
    @Param('id') id: string,
    @Param('form') form: string,
    @Body() body: { reason?: string; payload?: string },
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.act(id, request, response, () => this.perform(form, id, body, whoIs(request)));
  }

  /** Runs the form's action; returns the key of the notice the page shows after it. */
  private async perform(
    form: string,
    id: string,
    body: { reason?: string; payload?: string },
    who: AdminIdentity,
  ): Promise<string> {
    switch (form) {
      case 'replay':
        await this.replayer.replay(id, who);
        return 'replayed';
      case 'discard':
        // Inside the action: a blank reason is a refusal shown on the detail page, like any other.
        await this.discarder.discard(id, requiredDiscardReason(body), who);
        return 'discarded';
      case 'edit':
        await this.editor.edit(id, String(body.payload ?? ''), who);
        return 'edited';
      default:
        throw new NotFoundException(`Cannot POST /admin/dead-letters/${id}/${form}`);
    }
  }

  /** Post/redirect/get on success; the detail page with the refusal (e.g. already replayed) otherwise. */
  private async act(
    id: string,
    request: Request,
    response: Response,
    action: () => Promise<string>,
  ): Promise<void> {
    let done: string;
    try {
      done = await action();
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
