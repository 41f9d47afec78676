import { Param, Query, UseGuards } from '@nestjs/common';
import type { AdminIdentity } from '../dead-letters/admin-identity';
import { ScheduledCancellation } from '../dead-letters/scheduled-cancellation';
import { ScheduledMessages } from '../outbox/scheduled-messages';
import { Actor, AdminHtmlPages, FormPost, HtmlPage } from './admin-controllers.decorators';
import { Layout } from './admin-layout.decorator';
import { AdminPageGuard } from './admin-page.guard';
import { PAGE_SIZE, ROW_ID } from './page-cursor';
import type { LayoutContext } from './views/admin-layout.view';
import { renderScheduledPage } from './views/scheduled.view';

/** The scheduled messages not yet due, in due order, each with a form cancelling it. */
@AdminHtmlPages()
@UseGuards(AdminPageGuard)
export class ScheduledPagesController {
  constructor(
    private readonly scheduled: ScheduledMessages,
    private readonly cancellation: ScheduledCancellation,
  ) {}

  @HtmlPage('scheduled')
  async list(
    @Query('after') after: string | undefined,
    @Query('cancelled') cancelled: string | undefined,
    @Layout() layout: LayoutContext,
  ): Promise<string> {
    const [rows, pending] = await Promise.all([
      this.scheduled.list(PAGE_SIZE, parseCursor(after)),
      this.scheduled.countPending(),
    ]);
    const last = rows.length === PAGE_SIZE ? rows[rows.length - 1] : undefined;
    const next = last ? `${last.deliverAt.toISOString()}_${last.id}` : null;
    const notice =
      cancelled && ROW_ID.test(cancelled) ? `Scheduled message #${cancelled} cancelled.` : undefined;
    return renderScheduledPage(rows, pending, next, layout, notice);
  }

  @FormPost('scheduled/:id/cancel')
  async cancel(@Param('id') id: string, @Actor() who: AdminIdentity): Promise<{ url: string }> {
    await this.cancellation.cancel(id, who);
    return { url: `/admin/scheduled?cancelled=${encodeURIComponent(id)}` };
  }
}

/** The `after` cursor of the next page: `<deliverAt ISO>_<id>` of the last row shown. */
function parseCursor(after: string | undefined): { deliverAt: Date; id: string } | undefined {
  const [time, id] = (after ?? '').split('_');
  const deliverAt = new Date(time);
  return id && ROW_ID.test(id) && !Number.isNaN(deliverAt.getTime()) ? { deliverAt, id } : undefined;
}
