import { ArgumentsHost, Catch } from '@nestjs/common';
import { BaseRpcExceptionFilter } from '@nestjs/microservices';
import { Observable, throwError } from 'rxjs';
import { ReliableRmqContext } from './reliable-rmq.context';

/**
 * Nest's default RPC filter turns every unknown error into `{ status: 'error', message: 'Internal
 * server error' }`, which would hide from the transport whether a pipe refused the payload (park) or
 * the handler failed (retry), and would put no useful error in the dead letter. On reliable deliveries
 * this catch-all passes the error through unchanged; elsewhere it behaves like the default. A filter
 * of the handler's own still runs first and decides (Nest's meaning).
 */
@Catch()
export class ReliableExceptionFilter extends BaseRpcExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): Observable<unknown> {
    if (host.getArgByIndex(1) instanceof ReliableRmqContext) return throwError(() => exception);
    return super.catch(exception, host);
  }
}
