/** The dead-letter admin page and API mounted at `/admin`. */
export interface AdminOptions {
  /** Mount the admin controllers. @default true */
  enabled: boolean;
  /** Bearer token (and login secret) for `/admin`. Refused in production when left at the default. */
  token: string;
}

export const DEFAULT_ADMIN_TOKEN = 'local-admin-token';

export const ADMIN_DEFAULTS: AdminOptions = {
  enabled: true,
  token: DEFAULT_ADMIN_TOKEN,
};
