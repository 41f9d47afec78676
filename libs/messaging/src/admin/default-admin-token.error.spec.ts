import { ADMIN_DEFAULTS, DEFAULT_ADMIN_TOKEN } from './admin.options';
import { DefaultAdminTokenError, refuseDefaultAdminToken } from './default-admin-token.error';

describe('refuseDefaultAdminToken', () => {
  it('refuses the default token in production', () => {
    expect(() => refuseDefaultAdminToken(ADMIN_DEFAULTS, 'production')).toThrow(DefaultAdminTokenError);
  });

  it('accepts a token of its own in production', () => {
    expect(() =>
      refuseDefaultAdminToken({ enabled: true, token: 'a-secret-of-its-own-123' }, 'production'),
    ).not.toThrow();
  });

  it('accepts the default token outside production and when the admin page is disabled', () => {
    expect(() => refuseDefaultAdminToken(ADMIN_DEFAULTS, 'development')).not.toThrow();
    expect(() => refuseDefaultAdminToken(ADMIN_DEFAULTS, undefined)).not.toThrow();
    expect(() =>
      refuseDefaultAdminToken({ enabled: false, token: DEFAULT_ADMIN_TOKEN }, 'production'),
    ).not.toThrow();
  });
});
