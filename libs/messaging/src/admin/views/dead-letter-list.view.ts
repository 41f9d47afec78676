import { escapeHtml } from '../../alerting/html-escape';
import type { DeadLetterCounts, DeadLetterPage } from '../dead-letter-admin.service';
import { DEAD_LETTER_ORIGINS, DEAD_LETTER_STATUSES, DeadLetterListQueryDto } from '../dead-letter-filter.dto';
import { formatTime, LayoutContext, renderAdminLayout, statusBadge } from './admin-layout.view';

export function renderDeadLetterList(
  page: DeadLetterPage,
  counts: DeadLetterCounts,
  query: DeadLetterListQueryDto,
  context: LayoutContext,
  notice?: string,
): string {
  const countLinks = DEAD_LETTER_STATUSES.map(
    (status) =>
      `<a class="count" href="/admin?status=${status}"><strong>${counts[status]}</strong>${status}</a>`,
  ).join('');
  const rows = page.items.map(
    (row) => `<tr>
  <td><a href="/admin/dead-letters/${escapeHtml(row.id)}">#${escapeHtml(row.id)}</a></td>
  <td>${formatTime(row.lastFailedAt)}</td>
  <td>${escapeHtml(row.origin)}</td>
  <td class="mono">${escapeHtml(row.origin === 'publish' ? row.exchange : row.queue)}</td>
  <td class="mono">${escapeHtml(row.reason)}</td>
  <td class="mono">${escapeHtml(row.messageId)}</td>
  <td>${row.attempts}</td>
  <td>${statusBadge(row.status)}</td>
</tr>`,
  );
  const lastPage = Math.max(1, Math.ceil(page.total / page.pageSize));
  const body = `<h1>Dead letters</h1>
${notice ? `<div class="notice">${escapeHtml(notice)}</div>` : ''}
<div class="counts">${countLinks}</div>
${filterForm(query)}
<table><thead><tr><th>Id</th><th>Last failure</th><th>Side</th><th>Queue / exchange</th><th>Reason</th>
<th>Message id</th><th>Attempts</th><th>Status</th></tr></thead>
<tbody>${rows.join('') || '<tr><td colspan="8">No dead letters match.</td></tr>'}</tbody></table>
<div class="pager">
  ${page.page > 1 ? `<a href="/admin?${pageQuery(query, page.page - 1)}">← newer</a>` : ''}
  <span>Page ${page.page} of ${lastPage} · ${page.total} matching</span>
  ${page.page < lastPage ? `<a href="/admin?${pageQuery(query, page.page + 1)}">older →</a>` : ''}
</div>`;
  return renderAdminLayout('Dead letters', body, context);
}

function filterForm(query: DeadLetterListQueryDto): string {
  const options = (values: string[], selected?: string) =>
    ['', ...values]
      .map(
        (value) =>
          `<option value="${value}"${value === (selected ?? '') ? ' selected' : ''}>${value || 'any'}</option>`,
      )
      .join('');
  return `<form class="filters" method="get" action="/admin">
  <label>Status<select name="status">${options(DEAD_LETTER_STATUSES, query.status)}</select></label>
  <label>Side<select name="origin">${options(DEAD_LETTER_ORIGINS, query.origin)}</select></label>
  <label>Queue<input name="queue" value="${escapeHtml(query.queue)}"></label>
  <label>Exchange<input name="exchange" value="${escapeHtml(query.exchange)}"></label>
  <label>Reason<input name="reason" value="${escapeHtml(query.reason)}"></label>
  <button type="submit">Filter</button>
</form>`;
}

function pageQuery(query: DeadLetterListQueryDto, page: number): string {
  const params = new URLSearchParams();
  for (const name of ['status', 'origin', 'queue', 'exchange', 'reason'] as const) {
    const value = query[name];
    if (value) params.set(name, value);
  }
  params.set('page', String(page));
  return escapeHtml(params.toString());
}
