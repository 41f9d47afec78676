import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';

export interface HttpHardeningOptions {
  /** Largest JSON or form body accepted; larger ones get 413. @default '1mb' */
  bodyLimit?: string;
}

export const DEFAULT_HTTP_BODY_LIMIT = '1mb';

/**
 * Security headers (Helmet) and body size limits for an app's HTTP side; call before `listen`.
 * Error bodies need nothing here: Nest's exception handler answers unknown errors with a bare 500
 * and never serialises a stack (tested in production mode).
 */
export function hardenHttpApp(app: NestExpressApplication, options: HttpHardeningOptions = {}): void {
  const limit = options.bodyLimit ?? DEFAULT_HTTP_BODY_LIMIT;
  app.use(helmet());
  // Registered before init, these replace Nest's default parsers (100 kB, no explicit choice).
  app.useBodyParser('json', { limit });
  app.useBodyParser('urlencoded', { limit, extended: true });
}
