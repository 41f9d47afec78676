/** The admin page guards replay and discard: in production its token must be a secret of its own. */
export class DefaultAdminTokenError extends Error {
  override readonly name = 'DefaultAdminTokenError';
  readonly reason = 'default-admin-token';

  constructor() {
    super('Refusing to start with NODE_ENV=production: ADMIN_TOKEN is the local default');
  }
}
