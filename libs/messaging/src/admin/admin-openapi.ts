import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AdminModule } from './admin.module';

export const ADMIN_OPENAPI_PATH = 'admin/api/docs';

/**
 * Mounts the OpenAPI document of the admin API at /admin/api/docs (JSON at /admin/api/docs-json).
 * Only the admin controllers are described, so an app's own API documentation stays its own.
 */
export function setupAdminOpenApi(app: INestApplication, title = 'Dead-letter admin API'): void {
  const config = new DocumentBuilder()
    .setTitle(title)
    .setDescription(
      'List, inspect, replay (through the outbox) and discard dead letters. Bearer token: ADMIN_TOKEN.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    include: [AdminModule],
  });
  SwaggerModule.setup(ADMIN_OPENAPI_PATH, app, document);
}
