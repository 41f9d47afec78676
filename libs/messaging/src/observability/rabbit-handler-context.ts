import { RABBIT_HANDLER } from '@golevelup/nestjs-rabbitmq';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { methodsWithMetadata } from '../discovered-methods';
import { MessageContextInterceptor } from './message-context.interceptor';

/**
 * Puts every golevelup `@RabbitSubscribe` method under `MessageContextInterceptor`, as if it carried
 * `@UseInterceptors(MessageContextInterceptor)` first, before golevelup registers its handlers (on
 * application bootstrap, copying the method's metadata).
 *
 * Not a global interceptor: with any global interceptor, Nest runs its interceptor chain (rxjs
 * `defer` + `mergeAll` and `AsyncResource.bind`, which on Node 20 also builds two deprecation
 * wrappers) around every HTTP request and `@EventPattern` call as well, for an interceptor that
 * passes them through: a measured share of the producer's CPU per `POST /orders`
 * (docs/performance.md, write path). Global and class-level interceptors of the app therefore run
 * outside the message's context; the handler and method-level ones inside it.
 */
@Injectable()
export class RabbitHandlerContext implements OnModuleInit {
  private readonly interceptor = new MessageContextInterceptor();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const { method } of methodsWithMetadata(wrappers, this.scanner, RABBIT_HANDLER)) {
      const current = (Reflect.getMetadata(INTERCEPTORS_METADATA, method) ?? []) as unknown[];
      // Another app in the same process (tests) may have decorated the same prototype already.
      if (current.some((one) => one instanceof MessageContextInterceptor)) continue;
      const interceptors: unknown[] = [this.interceptor, ...current];
      Reflect.defineMetadata(INTERCEPTORS_METADATA, interceptors, method);
    }
  }
}
