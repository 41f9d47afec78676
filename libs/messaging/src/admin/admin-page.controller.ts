import { Get, Query, Req, Res, UseGuards, ValidationPipe } from '@nestjs/common';
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
import { renderDeadLetterList } from './views/dead-letter-list.view';
import { renderGroupsTable } from './views/failure-groups.view';

const listQueryPipe = new ValidationPipe({ transform: true, whitelist: true });

/** The admin page's first view (G8): failure groups, then the newest dead letters (keyset pages). */
@AdminHtmlPages()
@UseGuards(AdminPageGuard)
export class AdminPageController {
  constructor(
    @InjectOptions('service') private readonly service: ServiceIdentity,
    private readonly deadLetters: DeadLetterAdminService,
    private readonly groups: DeadLetterGroups,
    private readonly groupActions: GroupActions,
  ) {}

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
}
