import { Get, Param, Query, Req, Res, UseGuards, ValidationPipe } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DeadLetterAdminService } from '../dead-letters/dead-letter-admin.service';
import { DeadLetterGroups } from '../dead-letters/dead-letter-groups';
import { GroupActions } from '../dead-letters/group-actions.service';
import { InjectOptions } from '../messaging.constants';
import type { ServiceIdentity } from '../messaging.options';
import { AdminHtmlPages } from './admin-controllers.decorators';
import { layoutOf, sendHtml } from './admin-html';
import { AdminPageGuard } from './admin-page.guard';
import { DeadLetterListQueryDto } from './dead-letter-filter.dto';
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
    @InjectOptions('service') private readonly service: ServiceIdentity,
    private readonly deadLetters: DeadLetterAdminService,
    private readonly groups: DeadLetterGroups,
    private readonly groupActions: GroupActions,
  ) {}

  /** The first view: failure groups, then the newest dead letters (keyset pages). */
  @Get()
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
}
