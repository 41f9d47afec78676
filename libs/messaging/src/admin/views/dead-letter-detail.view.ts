import { escapeHtml } from '../../alerting/html-escape';
import type { DeadLetter } from '../../dead-letters/dead-letter.entity';
import { formatTime, LayoutContext, renderAdminLayout, statusBadge } from './admin-layout.view';

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
  ];
  const body = `<h1>Dead letter #${escapeHtml(row.id)}</h1>
${notice ? `<div class="notice${notice.error ? ' error' : ''}">${escapeHtml(notice.text)}</div>` : ''}
<dl class="fields">${fields.map(([label, value]) => `<dt>${label}</dt><dd>${value}</dd>`).join('')}</dl>
${row.status === 'open' ? actions(row) : ''}
<h2>Error</h2><pre>${escapeHtml(row.error) || '(none)'}</pre>
<h2>Payload</h2><pre>${escapeHtml(prettyJson(row.payload))}</pre>
<h2>Headers</h2><pre>${escapeHtml(prettyJson(row.headers ?? '{}'))}</pre>`;
  return renderAdminLayout(`Dead letter #${row.id}`, body, context);
}

function actions(row: DeadLetter): string {
  const base = `/admin/dead-letters/${escapeHtml(row.id)}`;
  return `<div class="actions">
  <form method="post" action="${base}/replay"><button type="submit">Replay</button></form>
  <form method="post" action="${base}/discard" style="display:flex;gap:8px;align-items:end">
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
