import { escapeHtml } from '../../alerting/html-escape';
import type { AdminAuditEntry } from '../../dead-letters/admin-audit';
import { formatTime, LayoutContext, renderAdminLayout } from './admin-layout.view';

export function renderAuditPage(
  entries: AdminAuditEntry[],
  next: string | null,
  context: LayoutContext,
): string {
  const rows = entries.map(
    (e) => `<tr>
  <td>${formatTime(e.at)}</td>
  <td>${escapeHtml(e.actor)}</td>
  <td>${escapeHtml(e.token)}</td>
  <td class="mono">${escapeHtml(e.action)}</td>
  <td class="mono">${escapeHtml(e.target)}</td>
  <td class="mono">${escapeHtml(abbreviate(e.ids))}</td>
  <td>${escapeHtml(e.detail)}${e.after !== null ? changes(e) : ''}</td>
</tr>`,
  );
  const body = `<h1>Audit</h1>
<table><thead><tr><th>When</th><th>Who</th><th>Token</th><th>Action</th><th>Target</th><th>Ids</th><th>Detail</th></tr></thead>
<tbody>${rows.join('') || '<tr><td colspan="7">No admin actions yet.</td></tr>'}</tbody></table>
<div class="pager">${next ? `<a href="/admin/audit?before=${escapeHtml(next)}">older →</a>` : ''}</div>`;
  return renderAdminLayout('Audit', body, context);
}

function changes(e: AdminAuditEntry): string {
  return `<div class="side-by-side"><pre>${escapeHtml(e.before)}</pre><pre>${escapeHtml(e.after)}</pre></div>`;
}

function abbreviate(ids: string[]): string {
  return ids.length > 20 ? `${ids.slice(0, 20).join(', ')} … (${ids.length})` : ids.join(', ');
}
