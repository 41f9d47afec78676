import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { INestApplication, INestApplicationContext, INestMicroservice } from '@nestjs/common';
import { ApplicationConfig, ModulesContainer } from '@nestjs/core';
import type { MicroserviceOptions, NestMicroservice } from '@nestjs/microservices';
import { getDataSourceToken } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { DedupeInterceptor } from '../consuming/dedupe.interceptor';
import { DeadLetterService } from '../dead-letters/dead-letter.service';
import type { ConsumingOptions } from '../consuming/consuming.options';
import { MESSAGING_REDIS, optionSliceToken } from '../messaging.constants';
import type { ServiceIdentity } from '../messaging.options';
import { MessagingMetrics } from '../observability/messaging-metrics';
import type { TopologyOptions } from '../topology/topology.options';
import type { ReliableServerOptions } from './reliable-event.options';
import { ReliableExceptionFilter } from './reliable-exception.filter';
import { ReliableServer } from './reliable.server';

/** A reliable transport server wired to the app's MessagingModule (its connection, Redis, database). */
export function reliableTransport(
  app: INestApplicationContext,
  options: ReliableServerOptions,
): ReliableServer {
  const find = <T>(token: unknown) => app.get<T>(token as string, { strict: false });
  return new ReliableServer(options, {
    amqp: find<AmqpConnection>(AmqpConnection),
    dataSource: find<DataSource>(getDataSourceToken()),
    deadLetters: find<DeadLetterService>(DeadLetterService),
    metrics: find<MessagingMetrics>(MessagingMetrics),
    options: {
      redisKeyPrefix: find<ServiceIdentity>(optionSliceToken('service')).redisKeyPrefix,
      consuming: find<ConsumingOptions>(optionSliceToken('consuming')),
      topology: find<TopologyOptions>(optionSliceToken('topology')),
    },
    redis: find<Redis>(MESSAGING_REDIS),
    dedupe: find<DedupeInterceptor>(DedupeInterceptor),
    modules: find<ModulesContainer>(ModulesContainer),
  });
}

/**
 * Attaches the reliable transport to an HTTP app (hybrid app) with `ReliableExceptionFilter` as its
 * global filter. Call `app.startAllMicroservices()` afterwards; `app.close()` drains it.
 */
export function connectReliableTransport(
  app: INestApplication,
  options: ReliableServerOptions,
  /** Global pipes, guards, interceptors or filters of the microservice: they must exist before its handlers. */
  configure?: (microservice: INestMicroservice) => void,
): { microservice: INestMicroservice; server: ReliableServer } {
  const server = reliableTransport(app, options);
  // Deferred: Nest builds each handler's filter chain when it registers the listeners, so the filter
  // must be in place first. Then exactly what connectMicroservice does when not deferred.
  const microservice = app.connectMicroservice<MicroserviceOptions>(
    { strategy: server },
    { deferInitialization: true },
  ) as NestMicroservice;
  microservice.useGlobalFilters(new ReliableExceptionFilter());
  configure?.(microservice);
  server.callHandlersDirectly(onlyReliableFilter(microservice));
  microservice.registerListeners();
  microservice.setIsInitialized(true);
  microservice.setIsInitHookCalled(true);
  return { microservice, server };
}

/** No global pipes, guards or interceptors, and no global filter but ours: Nest's chain would do nothing. */
function onlyReliableFilter(microservice: NestMicroservice): boolean {
  const config = (microservice as unknown as { applicationConfig: ApplicationConfig }).applicationConfig;
  const filters = config.getGlobalFilters();
  return (
    config.getGlobalPipes().length === 0 &&
    config.getGlobalGuards().length === 0 &&
    config.getGlobalInterceptors().length === 0 &&
    filters.length === 1 &&
    filters[0] instanceof ReliableExceptionFilter
  );
}
