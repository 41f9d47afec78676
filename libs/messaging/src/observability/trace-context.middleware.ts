import { Injectable, NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { runInTrace } from './trace-context';

/**
 * Every HTTP request runs inside the trace its `traceparent` header continues (or a new one), so an
 * outbox row written while handling it carries that trace to the consumer.
 */
@Injectable()
export class TraceContextMiddleware implements NestMiddleware {
  use(request: IncomingMessage, _response: ServerResponse, next: () => void): void {
    runInTrace(request.headers, next);
  }
}
