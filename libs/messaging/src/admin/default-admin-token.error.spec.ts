import { ADMIN_DEFAULTS, DEFAULT_ADMIN_TOKEN } from './admin.options';
import { DefaultAdminTokenError, refuseDefaultAdminToken } from './default-admin-token.error';

describe('refuseDefaultAdminToken', () => {
  it('refuses the default token in production', () => {
    expect(() => refuseDefaultAdminToken(ADMIN_DEFAULTS, 'production')).toThrow(DefaultAdminTokenError);
  });

  it('accepts a token of its own in production', () => {
    expect(() => refuseDefaultAdminToken({ token: 'a-secret-of-its-own-123' }, 'production')).not.toThrow();
  });

  it('accepts the default token outside production', () => {
    expect(() => refuseDefaultAdminToken(ADMIN_DEFAULTS, 'development')).not.toThrow();
    expect(() => refuseDefaultAdminToken(ADMIN_DEFAULTS, undefined)).not.toThrow();
  });
});

describe('viewer token in production', () => {
  const operator = 'an-operator-secret-0123';
  it('refuses a viewer token equal to the operator token or left at the default', () => {
    expect(() => refuseDefaultAdminToken({ token: operator, viewerToken: operator }, 'production')).toThrow(
      'ADMIN_VIEWER_TOKEN equals ADMIN_TOKEN',
    );
    expect(() =>
      refuseDefaultAdminToken({ token: operator, viewerToken: DEFAULT_ADMIN_TOKEN }, 'production'),
    ).toThrow('ADMIN_VIEWER_TOKEN is the local default');
  });

  it('accepts two distinct secrets', () => {
    expect(() =>
      refuseDefaultAdminToken({ token: operator, viewerToken: 'a-viewer-secret-45678' }, 'production'),
    ).not.toThrow();
  });
});
