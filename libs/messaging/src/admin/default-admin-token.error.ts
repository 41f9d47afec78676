import { AdminOptions, DEFAULT_ADMIN_TOKEN } from './admin.options';

/** The admin page guards replay and discard: in production its token must be a secret of its own. */
export class DefaultAdminTokenError extends Error {
  override readonly name = 'DefaultAdminTokenError';
  readonly reason = 'default-admin-token';

  constructor() {
    super('Refusing to start with NODE_ENV=production: ADMIN_TOKEN is the local default');
  }
}

/** Throws DefaultAdminTokenError when a production process would mount /admin with the local default token. */
export function refuseDefaultAdminToken(admin: AdminOptions, nodeEnv: string | undefined): void {
  if (nodeEnv === 'production' && admin.enabled && admin.token === DEFAULT_ADMIN_TOKEN) {
    throw new DefaultAdminTokenError();
  }
}
