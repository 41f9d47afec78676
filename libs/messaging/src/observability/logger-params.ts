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
const SECRET_REQUEST_HEADERS = ['authorization', 'cookie', 'x-admin-token'];
const SECRET_RESPONSE_HEADERS = ['set-cookie'];
const CENSOR = '[redacted]';

/** The shape pino-std-serializers gives a custom `req`/`res` serializer (and the log line keeps). */
interface SerializedMessage {
  headers?: Record<string, unknown>;
}

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
      // Secrets are censored in the serializers rather than with pino's `redact` paths: the same lines,
      // but `redact` deep-clones each logged request's path to them, a measured share of the CPU per
      // `POST /orders` (docs/performance.md, write path). The serializers also shape the `req` that
      // pino-http binds to every line logged while a request is handled.
      serializers: {
        req: (req: SerializedMessage) => withCensored(req, SECRET_REQUEST_HEADERS),
        res: (res: SerializedMessage) => withCensored(res, SECRET_RESPONSE_HEADERS),
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

/** `message` with a copy of its headers in which `names` are censored; the live request is not touched. */
function withCensored(message: SerializedMessage, names: readonly string[]): SerializedMessage {
  const headers = message.headers;
  if (!headers || !names.some((name) => headers[name] !== undefined)) return message;
  const copy = { ...headers };
  for (const name of names) if (copy[name] !== undefined) copy[name] = CENSOR;
  message.headers = copy;
  return message;
}

function failuresOnly(
  _request: IncomingMessage,
  response: ServerResponse,
  error?: Error,
): 'silent' | 'warn' | 'error' {
  if (error || response.statusCode >= 500) return 'error';
  return response.statusCode >= 400 ? 'warn' : 'silent';
}
