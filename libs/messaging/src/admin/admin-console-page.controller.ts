import { Body, Get, NotFoundException, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DeadLetterGroups } from '../dead-letters/dead-letter-groups';
import { InjectOptions } from '../messaging.constants';
import type { ServiceIdentity } from '../messaging.options';
import { ScheduledMessages } from '../outbox/scheduled-messages';
import { AdminAudit } from '../dead-letters/admin-audit';
import { layoutOf, sendHtml } from './admin-html';
import { AdminPageGuard } from './admin-page.guard';
import { whoIs } from './admin-roles';
import { requiredDiscardReason } from './discard-reason';
import { DeadLetterAdminService } from '../dead-letters/dead-letter-admin.service';
import { GroupActions } from '../dead-letters/group-actions.service';
import { ScheduledCancellation } from '../dead-letters/scheduled-cancellation';
import { renderAuditPage } from './views/audit.view';
import { renderDeadLetterRows } from './views/dead-letter-list.view';
import { renderGroupPage } from './views/failure-groups.view';
import { renderScheduledPage } from './views/scheduled.view';
import { AdminHtmlPages } from './admin-controllers.decorators';

const PAGE = 50;
const ROW_ID = /^[1-9]\d{0,18}$/;

/** Pages of the console beside the dead-letter list: a failure group, scheduled messages, the audit. */
@AdminHtmlPages()
@UseGuards(AdminPageGuard)
export class AdminConsolePageController {
  constructor(
    @InjectOptions('service') private readonly service: ServiceIdentity,
    private readonly groups: DeadLetterGroups,
    private readonly groupActions: GroupActions,
    private readonly deadLetters: DeadLetterAdminService,
    private readonly scheduled: ScheduledMessages,
    private readonly audit: AdminAudit,
    private readonly cancellation: ScheduledCancellation,
  ) {}

  @Get('groups/:fingerprint')
  async group(
    @Param('fingerprint') fingerprint: string,
    @Query('before') before: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const group = /^[0-9a-f]{16}$/.test(fingerprint) ? await this.groups.get(fingerprint) : null;
    if (!group) throw new NotFoundException(`No failure group ${fingerprint}`);
    const query = {
      fingerprint,
      status: 'open' as const,
      before: before && ROW_ID.test(before) ? before : undefined,
    };
    const [page, actions] = await Promise.all([
      this.deadLetters.list(query),
      this.groupActions.latest([fingerprint]),
    ]);
    const list = `<h2>Open dead letters of this group</h2>${renderDeadLetterRows(page, query, `/admin/groups/${fingerprint}`)}`;
    sendHtml(
      response,
      200,
      renderGroupPage(group, actions.get(fingerprint), list, layoutOf(this.service, request)),
    );
  }

  @Post('groups/:fingerprint/replay')
  async replayGroup(
    @Param('fingerprint') fingerprint: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await this.groupActions.start(fingerprint, 'replay', whoIs(request));
    response.redirect(303, `/admin/groups/${encodeURIComponent(fingerprint)}`);
  }

  @Post('groups/:fingerprint/discard')
  async discardGroup(
    @Param('fingerprint') fingerprint: string,
    @Body() body: { reason?: string },
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const reason = requiredDiscardReason(body);
    await this.groupActions.start(fingerprint, 'discard', whoIs(request), reason);
    response.redirect(303, `/admin/groups/${encodeURIComponent(fingerprint)}`);
  }

  @Get('scheduled')
  async scheduledPage(
    @Query('after') after: string | undefined,
    @Query('cancelled') cancelled: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const cursor = parseCursor(after);
    const [rows, pending] = await Promise.all([
      this.scheduled.list(PAGE, cursor),
      this.scheduled.countPending(),
    ]);
    const last = rows.length === PAGE ? rows[rows.length - 1] : undefined;
    const next = last ? `${last.deliverAt.toISOString()}_${last.id}` : null;
    const notice =
      cancelled && ROW_ID.test(cancelled) ? `Scheduled message #${cancelled} cancelled.` : undefined;
    sendHtml(
      response,
      200,
      renderScheduledPage(rows, pending, next, layoutOf(this.service, request), notice),
    );
  }

  @Post('scheduled/:id/cancel')
  async cancel(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.cancellation.cancel(id, whoIs(request));
    response.redirect(303, `/admin/scheduled?cancelled=${encodeURIComponent(id)}`);
  }

  @Get('audit')
  async auditPage(
    @Query('before') before: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const entries = await this.audit.list(PAGE, before && ROW_ID.test(before) ? before : undefined);
    const next = entries.length === PAGE ? entries[entries.length - 1].id : null;
    sendHtml(response, 200, renderAuditPage(entries, next, layoutOf(this.service, request)));
  }
}

function parseCursor(after: string | undefined): { deliverAt: Date; id: string } | undefined {
  const [time, id] = (after ?? '').split('_');
  const deliverAt = new Date(time);
  return id && ROW_ID.test(id) && !Number.isNaN(deliverAt.getTime()) ? { deliverAt, id } : undefined;
}
