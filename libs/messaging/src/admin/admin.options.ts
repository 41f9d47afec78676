/** The dead-letter admin page and API mounted at `/admin` (switched on or off by `features.admin`). */
export interface AdminOptions {
  /** Operator token (ADMIN_TOKEN): sees everything and may act. Refused in production when left at the default. */
  token: string;
  /**
   * Read-only viewer token (ADMIN_VIEWER_TOKEN): sees everything, changes nothing (403). Empty: no viewer
   * login. In production it must differ from `token`. @default ''
   */
  viewerToken: string;
  /** Failed logins / API calls with a wrong token allowed per client within `authFailureWindowMs`. @default 10 */
  authFailureLimit: number;
  /** Window of `authFailureLimit`. @default 60000 */
  authFailureWindowMs: number;
  /** How long a client that went over the limit gets 429 (with Retry-After). @default 60000 */
  authBlockMs: number;
  /** Dead letters per transaction when a whole group is replayed or discarded in the background. @default 200 */
  groupBatchSize: number;
}

export const DEFAULT_ADMIN_TOKEN = 'local-admin-token';

export const ADMIN_DEFAULTS: AdminOptions = {
  token: DEFAULT_ADMIN_TOKEN,
  viewerToken: '',
  authFailureLimit: 10,
  authFailureWindowMs: 60_000,
  authBlockMs: 60_000,
  groupBatchSize: 200,
};
