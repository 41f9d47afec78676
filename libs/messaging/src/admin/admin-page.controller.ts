import { Param, Query, UseGuards, ValidationPipe } from '@nestjs/common';
import { DeadLetterAdminService } from '../dead-letters/dead-letter-admin.service';
import { DeadLetterGroups } from '../dead-letters/dead-letter-groups';
import { GroupActions } from '../dead-letters/group-actions.service';
import { AdminHtmlPages, HtmlPage } from './admin-controllers.decorators';
import { Layout } from './admin-layout.decorator';
import { AdminPageGuard } from './admin-page.guard';
import { DeadLetterListQueryDto } from './dead-letter-filter.dto';
import type { LayoutContext } from './views/admin-layout.view';
import { renderDeadLetterDetail } from './views/dead-letter-detail.view';
import { renderDeadLetterList } from './views/dead-letter-list.view';
import { renderGroupsTable } from './views/failure-groups.view';

const DONE_NOTICES: Record<string, string> = {
  replayed: 'Replayed: a new message is in the outbox and will be published shortly.',
  discarded: 'Discarded.',
  edited: 'Edited payload saved beside the original; Replay sends it.',
};

const listQueryPipe = new ValidationPipe({ transform: true, whitelist: true });

/** The dead-letter pages (G8): the list, headed by the failure groups, and one dead letter's detail. */
@AdminHtmlPages()
@UseGuards(AdminPageGuard)
export class AdminPageController {
  constructor(
    private readonly deadLetters: DeadLetterAdminService,
    private readonly groups: DeadLetterGroups,
    private readonly groupActions: GroupActions,
  ) {}

  /** The first view: failure groups, then the newest dead letters (keyset pages). */
  @HtmlPage()
  async list(
    @Query(listQueryPipe) query: DeadLetterListQueryDto,
    @Layout() layout: LayoutContext,
  ): Promise<string> {
    const [page, counts, groups] = await Promise.all([
      this.deadLetters.list(query),
      this.deadLetters.counts(),
      this.groups.list(),
    ]);
    const actions = await this.groupActions.latest(groups.map((g) => g.fingerprint));
    // Groups head the unfiltered first page; a filtered or later page is about single messages.
    const filtered = Object.values(query).some((value) => value !== undefined);
    const groupsHtml = filtered ? '' : renderGroupsTable(groups, actions, layout);
    return renderDeadLetterList(page, counts, query, layout, groupsHtml);
  }

  /** One dead letter; `done` names the form that just succeeded (DeadLetterFormsController redirects here). */
  @HtmlPage('dead-letters/:id')
  async detail(
    @Param('id') id: string,
    @Query('done') done: string | undefined,
    @Layout() layout: LayoutContext,
  ): Promise<string> {
    const row = await this.deadLetters.get(id);
    const notice = done && DONE_NOTICES[done] ? { text: DONE_NOTICES[done] } : undefined;
    return renderDeadLetterDetail(row, layout, notice);
  }
}
