import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import { currentLogFields } from './log-fields';

export interface LoggerSettings {
  /** pino level (`LOG_LEVEL`). */
  level: string;
  /** Service name on every line. */
  service: string;
}

const QUIET_PATHS = ['/health/live', '/health/ready', '/metrics'];

/**
 * nestjs-pino settings of both apps: one JSON object per line, each carrying the current trace id and
 * the identifiers of the message being handled (see `withLogFields`); secrets in headers redacted;
 * request bodies never logged.
 */
export function messagingLoggerParams(settings: LoggerSettings): Params {
  return {
    pinoHttp: {
      level: settings.level,
      base: { service: settings.service },
      mixin: () => currentLogFields(),
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-admin-token"]',
          'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
      // Probes every few seconds would drown the lines that matter.
      autoLogging: { ignore: (request: IncomingMessage) => QUIET_PATHS.includes(request.url ?? '') },
    },
  };
}
