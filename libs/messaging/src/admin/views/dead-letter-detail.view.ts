import { escapeHtml } from '../../alerting/html-escape';
import type { DeadLetter } from '../../dead-letters/dead-letter.entity';
import {
  canAct,
  csrfField,
  formatTime,
  LayoutContext,
  renderAdminLayout,
  statusBadge,
} from './admin-layout.view';

export interface DetailNotice {
  text: string;
  error?: boolean;
}

export function renderDeadLetterDetail(
  row: DeadLetter,
  context: LayoutContext,
  notice?: DetailNotice,
): string {
  const fields: Array<[string, string]> = [
    ['Status', statusBadge(row.status)],
    ['Message id', `<code>${escapeHtml(row.messageId)}</code>`],
    ['Side', escapeHtml(row.origin)],
    ['Exchange', `<code>${escapeHtml(row.exchange)}</code>`],
    ['Routing key', `<code>${escapeHtml(row.routingKey)}</code>`],
    ['Queue', `<code>${escapeHtml(row.queue)}</code>`],
    ['Consumer', escapeHtml(row.consumer)],
    ['Ordering key', `<code>${escapeHtml(row.partitionKey)}</code>`],
    ['Reason', `<code>${escapeHtml(row.reason)}</code>`],
    ['Attempts', String(row.attempts)],
    ['First failure', formatTime(row.firstFailedAt)],
    ['Last failure', formatTime(row.lastFailedAt)],
    ['Resolved by', escapeHtml(row.resolvedBy)],
    ['Resolved at', formatTime(row.resolvedAt)],
    ['Note', escapeHtml(row.resolutionNote)],
    ['Replayed as', `<code>${escapeHtml(row.replayMessageId)}</code>`],
    [
      'Failure group',
      row.fingerprint
        ? `<a href="/admin/groups/${escapeHtml(row.fingerprint)}">${escapeHtml(row.fingerprint)}</a>`
        : '',
    ],
    ['Edited by', row.editedBy ? `${escapeHtml(row.editedBy)} at ${formatTime(row.editedAt)}` : ''],
  ];
  const open = row.status === 'open' && canAct(context);
  const body = `<h1>Dead letter #${escapeHtml(row.id)}</h1>
${notice ? `<div class="notice${notice.error ? ' error' : ''}">${escapeHtml(notice.text)}</div>` : ''}
<dl class="fields">${fields.map(([label, value]) => `<dt>${label}</dt><dd>${value}</dd>`).join('')}</dl>
${open ? actions(row, context) : ''}
<h2>Error</h2><pre>${escapeHtml(row.error) || '(none)'}</pre>
${payloads(row, open ? context : undefined)}
<h2>Headers</h2><pre>${escapeHtml(prettyJson(row.headers ?? '{}'))}</pre>`;
  return renderAdminLayout(`Dead letter #${row.id}`, body, context);
}

/** The original payload always; the edited one beside it; the editor for an operator on an open row. */
function payloads(row: DeadLetter, editor: LayoutContext | undefined): string {
  const original = `<div><h2>Payload${row.editedPayload ? ' (original)' : ''}</h2><pre>${escapeHtml(prettyJson(row.payload))}</pre></div>`;
  const edited = row.editedPayload
    ? `<div><h2>Edited payload (sent on replay)</h2><pre>${escapeHtml(prettyJson(row.editedPayload))}</pre></div>`
    : '';
  const form = editor
    ? `<form method="post" action="/admin/dead-letters/${escapeHtml(row.id)}/edit">${csrfField(editor)}
  <label>Edit payload (JSON; checked against the consumer's schema when it declares one)
  <textarea name="payload" required>${escapeHtml(prettyJson(row.editedPayload ?? row.payload))}</textarea></label>
  <button type="submit">Save edited payload</button></form>`
    : '';
  return `<div class="side-by-side">${original}${edited}</div>${form}`;
}

function actions(row: DeadLetter, context: LayoutContext): string {
  const base = `/admin/dead-letters/${escapeHtml(row.id)}`;
  return `<div class="actions">
  <form method="post" action="${base}/replay">${csrfField(context)}<button type="submit">Replay${row.editedPayload ? ' edited' : ''}</button></form>
  <form method="post" action="${base}/discard" style="display:flex;gap:8px;align-items:end">${csrfField(context)}
    <label>Reason for discarding<input name="reason" required maxlength="2000"></label>
    <button class="secondary" type="submit">Discard</button>
  </form>
</div>`;
}

/** Indented JSON when it parses; the raw text otherwise (a malformed body may be why it is here). */
function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
