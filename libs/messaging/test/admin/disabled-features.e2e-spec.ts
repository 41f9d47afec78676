import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { setupAdminOpenApi } from '@app/messaging';
import { createMessagingApp } from '../support/messaging-app';
import { useTestNamespace } from '../support/namespace-fixture';

const TOKEN = 'disabled-admin-test-token-0123456789';

const ns = useTestNamespace('features-off');

/** A part switched off in the module definition is not imported: its routes do not exist. */
describe('Features switched off in MessagingModule.forRoot', () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createMessagingApp(
      {
        ...ns.options({ admin: { token: TOKEN }, relay: { enabled: false } }),
        features: { admin: false, health: false, metrics: false },
      },
      { logger: ['error'] },
    );
    setupAdminOpenApi(app, 'Dead-letter admin API', true);
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
  });

  it.each([
    ['the login page', '/admin/login'],
    ['the console', '/admin'],
    ['the scheduled messages page', '/admin/scheduled'],
    ['the audit page', '/admin/audit'],
    ['the OpenAPI document', '/admin/api/docs-json'],
  ])('answers 404 on %s', async (_what, path) => {
    await request(app.getHttpServer()).get(path).expect(404);
  });

  it('answers 404 on the API even with the operator token', async () => {
    const api = request(app.getHttpServer());
    await api.get('/admin/api/dead-letters').set('authorization', `Bearer ${TOKEN}`).expect(404);
    await api.post('/admin/api/dead-letters/1/replay').set('authorization', `Bearer ${TOKEN}`).expect(404);
  });

  it('mounts neither /health nor /metrics', async () => {
    await request(app.getHttpServer()).get('/health/ready').expect(404);
    await request(app.getHttpServer()).get('/metrics').expect(404);
  });
});
