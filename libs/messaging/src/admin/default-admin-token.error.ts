import { AdminOptions, DEFAULT_ADMIN_TOKEN } from './admin.options';

/** The admin page guards replay and discard: in production its tokens must be secrets of their own. */
export class DefaultAdminTokenError extends Error {
  override readonly name = 'DefaultAdminTokenError';
  readonly reason = 'default-admin-token';

  constructor(problem = 'ADMIN_TOKEN is the local default') {
    super(`Refusing to start with NODE_ENV=production: ${problem}`);
  }
}

/** What is wrong with the admin tokens for production, or null. */
export function adminTokenProblem(admin: Pick<AdminOptions, 'token' | 'viewerToken'>): string | null {
  if (admin.token === DEFAULT_ADMIN_TOKEN) return 'ADMIN_TOKEN is the local default';
  if (admin.viewerToken === DEFAULT_ADMIN_TOKEN) return 'ADMIN_VIEWER_TOKEN is the local default';
  // Equal tokens would make every viewer an operator.
  if (admin.viewerToken && admin.viewerToken === admin.token) {
    return 'ADMIN_VIEWER_TOKEN equals ADMIN_TOKEN';
  }
  return null;
}

/** Throws DefaultAdminTokenError when a production process would mount /admin with a default or shared token. */
export function refuseDefaultAdminToken(
  admin: Pick<AdminOptions, 'token'> & Partial<Pick<AdminOptions, 'viewerToken'>>,
  nodeEnv: string | undefined,
): void {
  if (nodeEnv !== 'production') return;
  const problem = adminTokenProblem({ token: admin.token, viewerToken: admin.viewerToken ?? '' });
  if (problem) throw new DefaultAdminTokenError(problem);
}
