import { HttpException, HttpStatus } from '@nestjs/common';
import { MessageHandler, RpcException } from '@nestjs/microservices';
import { ValidationError } from 'class-validator';
import { isObservable, lastValueFrom } from 'rxjs';
import type { NestCall } from './reliable.server';
import { PayloadRejectedError } from './transport-errors';

/**
 * One run of a Nest event handler (guards, interceptors, pipes, filters and the method, as Nest built
 * it). Settles when the handler's observable completes, not when it is returned, so the ack follows
 * the whole effect. A pipe's refusal becomes `PayloadRejectedError` (parked); anything else is a failed
 * attempt for the retry policy.
 */
export async function callNestHandler(callback: MessageHandler, call: NestCall): Promise<unknown> {
  try {
    const result: unknown = await callback(call.payload, call.context);
    return isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : result;
  } catch (error) {
    throw rejectedPayload(error) ?? asError(error);
  }
}

/** ValidationPipe and the Parse* pipes throw 400s; a ValidationPipe with an RpcException factory wraps errors. */
function rejectedPayload(error: unknown): PayloadRejectedError | undefined {
  if (error instanceof HttpException && error.getStatus() === Number(HttpStatus.BAD_REQUEST)) {
    const response = error.getResponse();
    const detail = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const text = Array.isArray(detail)
      ? detail.join('; ')
      : typeof detail === 'string'
        ? detail
        : error.message;
    return new PayloadRejectedError(text);
  }
  if (error instanceof RpcException) {
    const inner = error.getError();
    if (Array.isArray(inner) && inner.length > 0 && inner.every((e) => e instanceof ValidationError)) {
      return new PayloadRejectedError(inner.map((e) => e.toString(false).trim()).join('; '));
    }
  }
  return undefined;
}

/** Without ReliableExceptionFilter Nest's filter turns errors into plain objects; keep their text. */
function asError(error: unknown): unknown {
  if (error instanceof Error || typeof error !== 'object' || error === null) return error;
  return new Error(JSON.stringify(error));
}
