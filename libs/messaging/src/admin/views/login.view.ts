import { escapeHtml } from '../../alerting/html-escape';
import { renderAdminLayout } from './admin-layout.view';

export function renderLoginPage(serviceName: string, csrf: string, error?: string): string {
  const notice = error ? `<div class="notice error">${escapeHtml(error)}</div>` : '';
  return renderAdminLayout(
    'Log in',
    `<h1>Log in</h1>${notice}
<form method="post" action="/admin/login" style="display:flex;flex-direction:column;gap:10px;max-width:320px">
  <input type="hidden" name="_csrf" value="${escapeHtml(csrf)}">
  <label>Your name (recorded when you replay or discard)<input name="name" autocomplete="username" maxlength="100"></label>
  <label>Admin token<input name="token" type="password" autocomplete="current-password" required></label>
  <button type="submit">Log in</button>
</form>`,
    { serviceName },
  );
}
