import { RABBIT_CONTEXT_TYPE_KEY, RABBIT_HANDLER } from '@golevelup/nestjs-rabbitmq';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { Observable } from 'rxjs';
import { runInMessageContext } from './message-context';

/**
 * Runs a golevelup Rabbit handler inside its message's trace and log context. `RabbitHandlerContext`
 * puts it on every `@RabbitSubscribe` method; anything else passes through (the trace middleware
 * covers HTTP requests).
 */
@Injectable()
export class MessageContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<string>() !== RABBIT_CONTEXT_TYPE_KEY) return next.handle();
    const message = context.getArgByIndex<ConsumeMessage | undefined>(1);
    if (!message?.fields) return next.handle();
    const config = Reflect.getMetadata(RABBIT_HANDLER, context.getHandler()) as
      { queue?: string } | undefined;
    // next.handle() binds the async context it is called in, so it must be called inside ours.
    return runInMessageContext(message, config?.queue, () => next.handle());
  }
}
