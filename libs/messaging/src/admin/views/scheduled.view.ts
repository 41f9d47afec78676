import { escapeHtml } from '../../alerting/html-escape';
import type { ScheduledMessage } from '../../outbox/scheduled-messages';
import { canAct, csrfField, formatTime, LayoutContext, renderAdminLayout } from './admin-layout.view';

export function renderScheduledPage(
  rows: ScheduledMessage[],
  pending: number,
  next: string | null,
  context: LayoutContext,
  notice?: string,
): string {
  const items = rows.map(
    (row) => `<tr>
  <td>#${escapeHtml(row.id)}</td>
  <td>${formatTime(row.deliverAt)}</td>
  <td class="mono">${escapeHtml(row.exchange)}</td>
  <td class="mono">${escapeHtml(row.routingKey)}</td>
  <td class="mono">${escapeHtml(row.key)}</td>
  <td class="mono">${escapeHtml(row.messageId)}</td>
  <td>${formatTime(row.createdAt)}</td>
  <td>${canAct(context) ? cancelForm(row, context) : ''}</td>
</tr>`,
  );
  const body = `<h1>Scheduled messages</h1>
${notice ? `<div class="notice">${escapeHtml(notice)}</div>` : ''}
<p>${pending} pending, in due order. A message can be cancelled until a relay claims it.</p>
<table><thead><tr><th>Row</th><th>Due</th><th>Exchange</th><th>Routing key</th><th>Key</th><th>Message id</th>
<th>Added</th><th></th></tr></thead>
<tbody>${items.join('') || '<tr><td colspan="8">Nothing scheduled.</td></tr>'}</tbody></table>
<div class="pager">${next ? `<a href="/admin/scheduled?after=${escapeHtml(next)}">later →</a>` : ''}</div>`;
  return renderAdminLayout('Scheduled messages', body, context);
}

function cancelForm(row: ScheduledMessage, context: LayoutContext): string {
  return `<form method="post" action="/admin/scheduled/${escapeHtml(row.id)}/cancel">${csrfField(context)}
<button class="secondary" type="submit">Cancel</button></form>`;
}
