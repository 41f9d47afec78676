import 'reflect-metadata';
import { RabbitSubscribe } from '@golevelup/nestjs-rabbitmq';
import { CallHandler, ExecutionContext, NestInterceptor, UseInterceptors } from '@nestjs/common';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Observable } from 'rxjs';
import { MessageContextInterceptor } from './message-context.interceptor';
import { RabbitHandlerContext } from './rabbit-handler-context';

class OwnInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle();
  }
}

class Handlers {
  @RabbitSubscribe({ exchange: 'x', routingKey: 'a', queue: 'a' })
  plain(): void {}

  @RabbitSubscribe({ exchange: 'x', routingKey: 'b', queue: 'b' })
  @UseInterceptors(OwnInterceptor)
  withOwn(): void {}

  notAHandler(): void {}
}

/** Only what RabbitHandlerContext reads of Nest's discovery: wrappers with an instance. */
function discoveryOf(...instances: object[]): DiscoveryService {
  const wrappers = instances.map((instance) => ({ instance }));
  return { getProviders: () => wrappers, getControllers: () => [] } as unknown as DiscoveryService;
}

const interceptorsOf = (method: unknown): unknown[] =>
  (Reflect.getMetadata(INTERCEPTORS_METADATA, method as object) ?? []) as unknown[];

describe('RabbitHandlerContext', () => {
  it('puts the message-context interceptor first on each @RabbitSubscribe method, once, and nowhere else', () => {
    // Two apps in one process share the class's prototype: the second init must not add it again.
    for (let app = 0; app < 2; app++)
      new RabbitHandlerContext(discoveryOf(new Handlers()), new MetadataScanner()).onModuleInit();
    const { plain, withOwn, notAHandler } = Handlers.prototype;
    expect(interceptorsOf(plain)).toHaveLength(1);
    expect(interceptorsOf(plain)[0]).toBeInstanceOf(MessageContextInterceptor);
    expect(interceptorsOf(withOwn)).toHaveLength(2);
    expect(interceptorsOf(withOwn)[0]).toBeInstanceOf(MessageContextInterceptor);
    expect(interceptorsOf(withOwn)[1]).toBe(OwnInterceptor);
    expect(interceptorsOf(notAHandler)).toEqual([]);
  });
});
