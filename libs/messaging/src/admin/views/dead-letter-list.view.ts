import { escapeHtml } from '../../alerting/html-escape';
import type { DeadLetterCounts, DeadLetterPage } from '../../dead-letters/dead-letter-admin.service';
import { DEAD_LETTER_ORIGINS, DEAD_LETTER_STATUSES, DeadLetterListQueryDto } from '../dead-letter-filter.dto';
import { formatTime, LayoutContext, renderAdminLayout, statusBadge } from './admin-layout.view';

export function renderDeadLetterList(
  page: DeadLetterPage,
  counts: DeadLetterCounts,
  query: DeadLetterListQueryDto,
  context: LayoutContext,
  groupsHtml = '',
): string {
  const countLinks = DEAD_LETTER_STATUSES.map(
    (status) =>
      `<a class="count" href="/admin?status=${status}"><strong>${counts[status]}</strong>${status}</a>`,
  ).join('');
  const body = `<h1>Dead letters</h1>
<div class="counts">${countLinks}</div>
${groupsHtml}
<h2>Messages, newest first</h2>
${filterForm(query)}
${renderDeadLetterRows(page, query, '/admin')}`;
  return renderAdminLayout('Dead letters', body, context);
}

/** The table and its keyset pager; `path` is where the pager links point. */
export function renderDeadLetterRows(
  page: DeadLetterPage,
  query: DeadLetterListQueryDto,
  path: string,
): string {
  const rows = page.items.map(
    (row) => `<tr>
  <td><a href="/admin/dead-letters/${escapeHtml(row.id)}">#${escapeHtml(row.id)}</a></td>
  <td>${formatTime(row.lastFailedAt)}</td>
  <td>${escapeHtml(row.origin)}</td>
  <td class="mono">${escapeHtml(row.origin === 'publish' ? row.exchange : row.queue)}</td>
  <td class="mono">${escapeHtml(row.reason)}</td>
  <td class="mono">${escapeHtml(row.messageId)}</td>
  <td>${row.attempts}${row.editedPayload ? ' · edited' : ''}</td>
  <td>${statusBadge(row.status)}</td>
</tr>`,
  );
  return `<table><thead><tr><th>Id</th><th>Last failure</th><th>Side</th><th>Queue / exchange</th><th>Reason</th>
<th>Message id</th><th>Attempts</th><th>Status</th></tr></thead>
<tbody>${rows.join('') || '<tr><td colspan="8">No dead letters match.</td></tr>'}</tbody></table>
<div class="pager">
  ${query.before ? `<a href="${path}?${pageQuery(query)}">← newest</a>` : ''}
  <span>${page.total} matching</span>
  ${page.nextBefore ? `<a href="${path}?${pageQuery(query, page.nextBefore)}">older →</a>` : ''}
</div>`;
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

function pageQuery(query: DeadLetterListQueryDto, before?: string): string {
  const params = new URLSearchParams();
  for (const name of ['status', 'origin', 'queue', 'exchange', 'reason', 'fingerprint'] as const) {
    const value = query[name];
    if (value) params.set(name, value);
  }
  if (before) params.set('before', before);
  return escapeHtml(params.toString());
}
