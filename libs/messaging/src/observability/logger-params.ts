import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { currentLogFields } from './log-fields';

/** `HTTP_ACCESS_LOG`: a line per request, per failed request (status ≥ 400 or an error), or none. */
export type AccessLogMode = 'all' | 'errors' | 'off';

export interface LoggerSettings {
  /** pino level (`LOG_LEVEL`). */
  level: string;
  /** Service name on every line. */
  service: string;
  /** @default 'all' */
  accessLog?: AccessLogMode;
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
      autoLogging:
        settings.accessLog === 'off'
          ? false
          : { ignore: (request: IncomingMessage) => QUIET_PATHS.includes(request.url ?? '') },
      // A line and a write per request was ~10 % of a `POST /orders`'s CPU (docs/performance.md);
      // 'errors' keeps the lines someone reads and leaves counting requests to /metrics.
      ...(settings.accessLog === 'errors' ? { customLogLevel: failuresOnly } : {}),
    },
  };
}

function failuresOnly(
  _request: IncomingMessage,
  response: ServerResponse,
  error?: Error,
): 'silent' | 'warn' | 'error' {
  if (error || response.statusCode >= 500) return 'error';
  return response.statusCode >= 400 ? 'warn' : 'silent';
}
