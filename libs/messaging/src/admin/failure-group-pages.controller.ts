import { Body, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import type { AdminIdentity } from '../dead-letters/admin-identity';
import { DeadLetterAdminService } from '../dead-letters/dead-letter-admin.service';
import { DeadLetterGroups } from '../dead-letters/dead-letter-groups';
import { GroupActions } from '../dead-letters/group-actions.service';
import { Actor, AdminHtmlPages, FormPost, HtmlPage } from './admin-controllers.decorators';
import { Layout } from './admin-layout.decorator';
import { AdminPageGuard } from './admin-page.guard';
import { requiredDiscardReason } from './discard-reason';
import { RowCursorPipe } from './page-cursor';
import type { LayoutContext } from './views/admin-layout.view';
import { renderDeadLetterRows } from './views/dead-letter-list.view';
import { renderGroupPage } from './views/failure-groups.view';

/** One failure group's page: its open dead letters, and the forms replaying or discarding all of them. */
@AdminHtmlPages()
@UseGuards(AdminPageGuard)
export class FailureGroupPagesController {
  constructor(
    private readonly groups: DeadLetterGroups,
    private readonly groupActions: GroupActions,
    private readonly deadLetters: DeadLetterAdminService,
  ) {}

  @HtmlPage('groups/:fingerprint')
  async group(
    @Param('fingerprint') fingerprint: string,
    @Query('before', RowCursorPipe) before: string | undefined,
    @Layout() layout: LayoutContext,
  ): Promise<string> {
    const group = /^[0-9a-f]{16}$/.test(fingerprint) ? await this.groups.get(fingerprint) : null;
    if (!group) throw new NotFoundException(`No failure group ${fingerprint}`);
    const query = { fingerprint, status: 'open' as const, before };
    const [page, actions] = await Promise.all([
      this.deadLetters.list(query),
      this.groupActions.latest([fingerprint]),
    ]);
    const list = `<h2>Open dead letters of this group</h2>${renderDeadLetterRows(page, query, `/admin/groups/${fingerprint}`)}`;
    return renderGroupPage(group, actions.get(fingerprint), list, layout);
  }

  @FormPost('groups/:fingerprint/replay')
  async replay(
    @Param('fingerprint') fingerprint: string,
    @Actor() who: AdminIdentity,
  ): Promise<{ url: string }> {
    await this.groupActions.start(fingerprint, 'replay', who);
    return { url: groupPage(fingerprint) };
  }

  @FormPost('groups/:fingerprint/discard')
  async discard(
    @Param('fingerprint') fingerprint: string,
    @Body() body: { reason?: string },
    @Actor() who: AdminIdentity,
  ): Promise<{ url: string }> {
    await this.groupActions.start(fingerprint, 'discard', who, requiredDiscardReason(body));
    return { url: groupPage(fingerprint) };
  }
}

function groupPage(fingerprint: string): string {
  return `/admin/groups/${encodeURIComponent(fingerprint)}`;
}
