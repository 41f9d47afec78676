import { escapeHtml } from '../../alerting/html-escape';

/** Content-Security-Policy of every admin page: no scripts at all, styles inline, forms post to us only. */
export const ADMIN_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLE = `
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
  header { background: #1d2330; color: #fff; padding: 10px 24px; display: flex; gap: 24px; align-items: center; }
  header a { color: #fff; text-decoration: none; font-weight: 600; }
  header form { margin-left: auto; }
  main { padding: 20px 24px; max-width: 1280px; }
  h1 { font-size: 20px; margin: 0 0 16px; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #e3e6eb; vertical-align: top; }
  th { background: #eef0f4; font-weight: 600; }
  td.mono, code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; }
  pre { background: #fff; border: 1px solid #e3e6eb; padding: 12px; overflow: auto; max-height: 480px; }
  .counts { display: flex; gap: 12px; margin-bottom: 16px; }
  .count { background: #fff; border: 1px solid #e3e6eb; padding: 8px 14px; border-radius: 6px; text-decoration: none; color: inherit; }
  .count strong { font-size: 18px; display: block; }
  .status { padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
  .status-open { background: #fde8e8; color: #9b1c1c; }
  .status-replayed { background: #e1effe; color: #1e429f; }
  .status-discarded { background: #eceef1; color: #4b5563; }
  form.filters { display: flex; gap: 8px; align-items: end; margin-bottom: 12px; flex-wrap: wrap; }
  label { display: flex; flex-direction: column; font-size: 12px; gap: 2px; }
  input, select, button { font: inherit; padding: 5px 8px; }
  button { cursor: pointer; border: 1px solid #1d2330; background: #1d2330; color: #fff; border-radius: 4px; }
  button.secondary { background: #fff; color: #1d2330; }
  .actions { display: flex; gap: 16px; align-items: end; margin: 16px 0; }
  .notice { padding: 8px 12px; border-radius: 4px; margin-bottom: 12px; background: #e1effe; }
  .notice.error { background: #fde8e8; }
  dl.fields { display: grid; grid-template-columns: 180px 1fr; gap: 4px 12px; background: #fff; padding: 12px; border: 1px solid #e3e6eb; }
  dl.fields dt { font-weight: 600; }
  dl.fields dd { margin: 0; word-break: break-all; }
  .pager { display: flex; gap: 12px; margin-top: 12px; }
  header nav { display: flex; gap: 16px; }
  header nav a { font-weight: 400; }
  .role { font-size: 12px; opacity: 0.8; margin-right: 8px; }
  textarea { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12.5px; width: 100%; min-height: 220px; }
  .side-by-side { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
  progress { width: 160px; }
  td form { display: inline-flex; gap: 6px; align-items: end; }
`;

export interface LayoutContext {
  serviceName: string;
  user?: string;
  /** The token's name; only `operator` sees action forms. */
  role?: 'operator' | 'viewer';
  /** The session's CSRF token, put in every form. */
  csrf?: string;
}

/** True when the page may show forms that change something. */
export function canAct(context: LayoutContext): boolean {
  return context.role === 'operator';
}

/** The hidden CSRF field every POST form carries (AdminPageGuard checks it). */
export function csrfField(context: LayoutContext): string {
  return `<input type="hidden" name="_csrf" value="${escapeHtml(context.csrf)}">`;
}

/** The frame of every admin page. `body` is trusted HTML built by the other views, which escape values. */
export function renderAdminLayout(title: string, body: string, context: LayoutContext): string {
  const logout = context.user
    ? `<form method="post" action="/admin/logout"><span>${escapeHtml(context.user)}</span>
       <span class="role">(${escapeHtml(context.role)})</span>
       <button class="secondary" type="submit">Log out</button></form>`
    : '';
  const nav = context.user
    ? `<nav><a href="/admin/scheduled">Scheduled</a><a href="/admin/audit">Audit</a></nav>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${escapeHtml(context.serviceName)} admin</title><style>${STYLE}</style></head>
<body><header><a href="/admin">${escapeHtml(context.serviceName)} · dead letters</a>${nav}${logout}</header>
<main>${body}</main></body></html>`;
}

export function statusBadge(status: string): string {
  return `<span class="status status-${escapeHtml(status)}">${escapeHtml(status)}</span>`;
}

export function formatTime(value: Date | null): string {
  return value ? value.toISOString().replace('T', ' ').replace('Z', ' UTC') : '';
}
