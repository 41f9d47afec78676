import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { MESSAGING_FEATURES, optionSliceToken } from '../messaging.constants';
import type { MessagingFeatures } from '../messaging.options';
import type { AdminOptions } from './admin.options';
import { AdminAuthThrottle } from './admin-auth-throttle';
import { roleOfSession, roleOfToken } from './admin-roles';
import { AdminModule } from './admin.module';

export const ADMIN_OPENAPI_PATH = 'admin/api/docs';

/**
 * Mounts the OpenAPI document of the admin API at /admin/api/docs (JSON at /admin/api/docs-json).
 * Only the admin controllers are described, so an app's own API documentation stays its own. With
 * `protect` (default: in production) the document needs an admin token or a page session: it maps
 * every action an attacker could try.
 */
export function setupAdminOpenApi(
  app: INestApplication,
  title = 'Dead-letter admin API',
  protect = process.env.NODE_ENV === 'production',
): void {
  // No console, no document: a switched-off admin leaves nothing to describe or to probe.
  if (!app.get<MessagingFeatures>(MESSAGING_FEATURES, { strict: false }).admin) return;
  const config = new DocumentBuilder()
    .setTitle(title)
    .setDescription(
      'Failure groups, list, inspect, edit, replay (through the outbox) and discard dead letters; the admin ' +
        'audit; scheduled messages. Bearer token: ADMIN_TOKEN (operator) or ADMIN_VIEWER_TOKEN (read-only).',
    )
    .setVersion('2')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    include: [AdminModule],
  });
  if (protect) app.use(docsGuard(app));
  SwaggerModule.setup(ADMIN_OPENAPI_PATH, app, document);
}

function docsGuard(app: INestApplication) {
  const admin = app.get<AdminOptions>(optionSliceToken('admin'), { strict: false });
  const throttle = app.get(AdminAuthThrottle);
  return (request: Request, response: Response, next: NextFunction): void => {
    if (!request.path.startsWith(`/${ADMIN_OPENAPI_PATH}`)) return next();
    const [scheme, token] = (request.header('authorization') ?? '').split(' ');
    const bearer = scheme?.toLowerCase() === 'bearer' ? roleOfToken(token, admin) : null;
    if (bearer || roleOfSession(request, admin)) return next();
    throttle
      .failed(request, response)
      .then(() => {
        response
          .status(401)
          .json({ statusCode: 401, message: 'The admin API document needs an admin token' });
      })
      .catch((error: { getStatus?: () => number; message: string }) => {
        response
          .status(error.getStatus?.() ?? 500)
          .json({ statusCode: error.getStatus?.(), message: error.message });
      });
  };
}
