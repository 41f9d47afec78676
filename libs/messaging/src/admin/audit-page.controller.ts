import { Query, UseGuards } from '@nestjs/common';
import { AdminAudit } from '../dead-letters/admin-audit';
import { AdminHtmlPages, HtmlPage } from './admin-controllers.decorators';
import { Layout } from './admin-layout.decorator';
import { AdminPageGuard } from './admin-page.guard';
import { PAGE_SIZE, RowCursorPipe } from './page-cursor';
import type { LayoutContext } from './views/admin-layout.view';
import { renderAuditPage } from './views/audit.view';

/** The audit log, newest first: who logged in, replayed, discarded, edited or cancelled what. */
@AdminHtmlPages()
@UseGuards(AdminPageGuard)
export class AuditPageController {
  constructor(private readonly audit: AdminAudit) {}

  @HtmlPage('audit')
  async list(
    @Query('before', RowCursorPipe) before: string | undefined,
    @Layout() layout: LayoutContext,
  ): Promise<string> {
    const entries = await this.audit.list(PAGE_SIZE, before);
    const next = entries.length === PAGE_SIZE ? entries[entries.length - 1].id : null;
    return renderAuditPage(entries, next, layout);
  }
}
