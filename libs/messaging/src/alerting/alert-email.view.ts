import type { AlertEmail } from './alert-email';
import type { AlertEvent, AlertKind } from './alert-event';
import type { AlertDigestSummary } from './alert-digest';
import { escapeHtml } from './html-escape';

/** What an alert email needs besides the event itself. */
export interface AlertEmailContext {
  serviceName: string;
  adminBaseUrl: string;
  digestWindowMs: number;
}

const KIND_TITLES: Record<AlertKind, string> = {
  'message-parked': 'Message parked',
  'outbox-stuck': 'Outbox not draining',
  'job-failed': 'Scheduled job failed',
};

type Row = [label: string, value: string | undefined, href?: string];

/** The email for the first failure of a class: everything an on-call human needs to start. */
export function renderImmediateAlert(
  event: AlertEvent,
  context: AlertEmailContext,
  payloadExcerpt?: string,
): AlertEmail {
  const title = `${KIND_TITLES[event.kind]}: ${event.reason} on ${sourceLabel(event)}`;
  const rows: Row[] = [
    ['Service', context.serviceName],
    ['Side', event.origin],
    [event.origin === 'publish' ? 'Exchange' : 'Queue', event.source || '(default)'],
    ['Reason', event.reason],
    ['Message id', event.messageId],
    [
      'Dead letter',
      event.deadLetterId && `#${event.deadLetterId}`,
      event.deadLetterId && deadLetterUrl(context, event.deadLetterId),
    ],
    ['When', event.occurredAt.toISOString()],
    ['Error', event.detail],
  ];
  const next = `Further failures of this class within ${minutes(context.digestWindowMs)} are collected into one digest email.`;
  const listUrl = classListUrl(context, event);
  return {
    subject: `[${context.serviceName}] ${title}`,
    text: [
      `${title}`,
      '',
      ...textRows(rows),
      ...(payloadExcerpt ? ['', 'Payload (excerpt):', payloadExcerpt] : []),
      '',
      next,
      `Open dead letters of this class: ${listUrl}`,
    ].join('\n'),
    html: htmlDocument(title, [
      htmlRows(rows),
      payloadExcerpt ? `<h3>Payload (excerpt)</h3><pre>${escapeHtml(payloadExcerpt)}</pre>` : '',
      `<p>${escapeHtml(next)}</p>`,
      `<p><a href="${escapeHtml(listUrl)}">Open dead letters of this class</a></p>`,
    ]),
  };
}

/** The email summarising a class's further failures at the end of its digest window. */
export function renderDigestAlert(summary: AlertDigestSummary, context: AlertEmailContext): AlertEmail {
  const event = summary.sample;
  const failures = summary.count === 1 ? '1 more failure' : `${summary.count} more failures`;
  const title = `${failures}: ${event.reason} on ${sourceLabel(event)} in ${minutes(context.digestWindowMs)}`;
  const listUrl = classListUrl(context, event);
  const shown =
    summary.messageIds.length < summary.count
      ? `Message ids (first ${summary.messageIds.length} of ${summary.count})`
      : 'Message ids';
  const rows: Row[] = [
    ['Service', context.serviceName],
    ['Kind', KIND_TITLES[event.kind]],
    ['Side', event.origin],
    [event.origin === 'publish' ? 'Exchange' : 'Queue', event.source || '(default)'],
    ['Reason', event.reason],
    ['Count', String(summary.count)],
    ['First', summary.firstAt.toISOString()],
    ['Last', summary.lastAt.toISOString()],
  ];
  return {
    subject: `[${context.serviceName}] Digest: ${title}`,
    text: [
      title,
      '',
      ...textRows(rows),
      '',
      `${shown}:`,
      ...summary.messageIds.map((id) => `  ${id}`),
      '',
      `Open dead letters of this class: ${listUrl}`,
    ].join('\n'),
    html: htmlDocument(title, [
      htmlRows(rows),
      `<h3>${escapeHtml(shown)}</h3>`,
      `<ul>${summary.messageIds.map((id) => `<li><code>${escapeHtml(id)}</code></li>`).join('')}</ul>`,
      `<p><a href="${escapeHtml(listUrl)}">Open dead letters of this class</a></p>`,
    ]),
  };
}

function sourceLabel(event: AlertEvent): string {
  return event.source || (event.origin === 'publish' ? 'the default exchange' : 'an unnamed queue');
}

function minutes(ms: number): string {
  const value = ms / 60_000;
  if (value >= 1) return `${Number(value.toFixed(1))} min`;
  return `${Math.round(ms / 1000)} s`;
}

function deadLetterUrl(context: AlertEmailContext, id: string): string {
  return `${context.adminBaseUrl}/dead-letters/${encodeURIComponent(id)}`;
}

function classListUrl(context: AlertEmailContext, event: AlertEvent): string {
  const query = new URLSearchParams({ status: 'open', origin: event.origin, reason: event.reason });
  if (event.source) query.set(event.origin === 'publish' ? 'exchange' : 'queue', event.source);
  return `${context.adminBaseUrl}?${query.toString()}`;
}

function textRows(rows: Row[]): string[] {
  return rows.filter(([, value]) => value).map(([label, value]) => `${`${label}:`.padEnd(13)}${value}`);
}

function htmlRows(rows: Row[]): string {
  const cells = rows
    .filter(([, value]) => value)
    .map(([label, value, href]) => {
      const shown = escapeHtml(value);
      const cell = href ? `<a href="${escapeHtml(href)}">${shown}</a>` : shown;
      return `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(label)}</th><td>${cell}</td></tr>`;
    });
  return `<table>${cells.join('')}</table>`;
}

function htmlDocument(title: string, parts: string[]): string {
  return [
    '<!doctype html><html><body style="font-family:sans-serif;font-size:14px;color:#222">',
    `<h2 style="margin:0 0 12px">${escapeHtml(title)}</h2>`,
    ...parts,
    '</body></html>',
  ].join('\n');
}
