import { Body, HttpException, NotFoundException, Param, UseGuards } from '@nestjs/common';
import type { AdminIdentity } from '../dead-letters/admin-identity';
import { DeadLetterAdminService } from '../dead-letters/dead-letter-admin.service';
import { DeadLetterDiscarder } from '../dead-letters/dead-letter-discard.service';
import { DeadLetterEditor } from '../dead-letters/dead-letter-edit.service';
import { DeadLetterReplayer } from '../dead-letters/dead-letter-replay.service';
import { Actor, AdminHtmlPages, FormPost } from './admin-controllers.decorators';
import { AdminPageRefusal } from './admin-html';
import { Layout } from './admin-layout.decorator';
import { AdminPageGuard } from './admin-page.guard';
import { requiredDiscardReason } from './discard-reason';
import type { LayoutContext } from './views/admin-layout.view';
import { renderDeadLetterDetail } from './views/dead-letter-detail.view';

/** The forms on a dead letter's page: replay, discard, edit (G8). The notices after them: AdminPageController. */
@AdminHtmlPages()
@UseGuards(AdminPageGuard)
export class DeadLetterFormsController {
  constructor(
    private readonly deadLetters: DeadLetterAdminService,
    private readonly replayer: DeadLetterReplayer,
    private readonly discarder: DeadLetterDiscarder,
    private readonly editor: DeadLetterEditor,
  ) {}

  /**
   * The detail page's forms (replay, discard, edit) post here. Post/redirect/get on success; the detail
   * page with the refusal (e.g. already replayed) otherwise.
   */
  @FormPost('dead-letters/:id/:form')
  async submit(
    @Param('id') id: string,
    @Param('form') form: string,
    @Body() body: { reason?: string; payload?: string },
    @Actor() who: AdminIdentity,
    @Layout() layout: LayoutContext,
  ): Promise<{ url: string }> {
    let done: string;
    try {
      done = await this.perform(form, id, body, who);
    } catch (error) {
      if (!(error instanceof HttpException) || error.getStatus() === 404) throw error;
      const text = (error.getResponse() as { message?: string }).message ?? error.message;
      const page = renderDeadLetterDetail(await this.deadLetters.get(id), layout, { text, error: true });
      throw new AdminPageRefusal(page, error.getStatus());
    }
    return { url: `/admin/dead-letters/${encodeURIComponent(id)}?done=${done}` };
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
}
