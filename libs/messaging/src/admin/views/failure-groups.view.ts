import { escapeHtml } from '../../alerting/html-escape';
import type { DeadLetterGroup } from '../../dead-letters/dead-letter-groups';
import type { GroupAction } from '../../dead-letters/group-actions.service';
import { canAct, csrfField, formatTime, LayoutContext, renderAdminLayout } from './admin-layout.view';

/** The console's first view: one line per cause, with its counts and (for operators) its actions. */
export function renderGroupsTable(
  groups: DeadLetterGroup[],
  actions: Map<string, GroupAction>,
  context: LayoutContext,
): string {
  const rows = groups.map(
    (g) => `<tr>
  <td><a href="/admin/groups/${escapeHtml(g.fingerprint)}" class="mono">${escapeHtml(g.fingerprint)}</a></td>
  <td><strong>${g.open}</strong></td>
  <td>${escapeHtml(g.origin)}</td>
  <td class="mono">${escapeHtml(g.source)}</td>
  <td class="mono">${escapeHtml(g.reason)}${g.errorClass ? ` · ${escapeHtml(g.errorClass)}` : ''}</td>
  <td class="mono">${escapeHtml(truncate(g.exampleError, 160))}</td>
  <td class="mono">${g.queues.map((q) => escapeHtml(q)).join('<br>')}</td>
  <td>${formatTime(g.firstSeen)}<br>${formatTime(g.lastSeen)}</td>
  <td>${progress(actions.get(g.fingerprint))}${canAct(context) && g.open > 0 ? groupActions(g, context) : ''}</td>
</tr>`,
  );
  return `<h2>Failure groups</h2>
<table class="groups"><thead><tr><th>Group</th><th>Open</th><th>Side</th><th>Consumer / exchange</th><th>Reason</th>
<th>Example error</th><th>Queues</th><th>First / last seen</th><th></th></tr></thead>
<tbody>${rows.join('') || '<tr><td colspan="9">No open failure groups.</td></tr>'}</tbody></table>`;
}

/** One group: what it is, how far a running action got, its actions, and its dead letters below. */
export function renderGroupPage(
  group: DeadLetterGroup,
  action: GroupAction | undefined,
  listHtml: string,
  context: LayoutContext,
): string {
  const body = `<h1>Failure group <code>${escapeHtml(group.fingerprint)}</code></h1>
<dl class="fields">
  <dt>Open</dt><dd>${group.open}</dd>
  <dt>Replayed / discarded</dt><dd>${group.replayed} / ${group.discarded}</dd>
  <dt>Side</dt><dd>${escapeHtml(group.origin)}</dd>
  <dt>Consumer / exchange</dt><dd><code>${escapeHtml(group.source)}</code></dd>
  <dt>Reason</dt><dd><code>${escapeHtml(group.reason)}</code></dd>
  <dt>Error class</dt><dd><code>${escapeHtml(group.errorClass)}</code></dd>
  <dt>Normalised error</dt><dd><code>${escapeHtml(group.normalizedError)}</code></dd>
  <dt>Queues</dt><dd><code>${escapeHtml(group.queues.join(', '))}</code></dd>
  <dt>First / last seen</dt><dd>${formatTime(group.firstSeen)} / ${formatTime(group.lastSeen)}</dd>
  <dt>Last action</dt><dd>${progress(action)}</dd>
</dl>
<h2>Example error</h2><pre>${escapeHtml(group.exampleError) || '(none)'}</pre>
${canAct(context) && group.open > 0 ? `<div class="actions">${groupActions(group, context)}</div>` : ''}
${listHtml}`;
  return renderAdminLayout(`Group ${group.fingerprint}`, body, context);
}

function groupActions(group: DeadLetterGroup, context: LayoutContext): string {
  const base = `/admin/groups/${escapeHtml(group.fingerprint)}`;
  return `<form method="post" action="${base}/replay">${csrfField(context)}<button type="submit">Replay all ${group.open}</button></form>
<form method="post" action="${base}/discard">${csrfField(context)}<label>Reason<input name="reason" required maxlength="2000"></label>
<button class="secondary" type="submit">Discard all</button></form>`;
}

/** A reload shows progress: the page has no script to poll with. */
function progress(action: GroupAction | undefined): string {
  if (!action) return '';
  const label = `${escapeHtml(action.kind)} by ${escapeHtml(action.actor)}: ${action.done}/${action.total}${
    action.refused ? `, ${action.refused} refused` : ''
  } (${escapeHtml(action.state)})`;
  return `<div class="progress"><progress max="${Math.max(action.total, 1)}" value="${action.done}"></progress> ${label}</div>`;
}

function truncate(text: string | null, max: number): string {
  if (!text) return '';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
