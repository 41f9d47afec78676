import { RabbitMQModule, MessageHandlerErrorBehavior } from '@golevelup/nestjs-rabbitmq';
import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { hostname } from 'node:os';
import type Redis from 'ioredis';
import { AdminModule } from './admin/admin.module';
import { AlertBus } from './alerting/alert-bus';
import { BrokerConnectionShutdown } from './broker/broker-connection-shutdown';
import { BrokerWriteCoalescing } from './broker/broker-write-coalescing';
import { AlertingModule } from './alerting/alerting.module';
import { dataSourceOptions, MESSAGING_ENTITIES } from './migrations/data-source-options';
import { ConsumingModule } from './consuming/consuming.module';
import { DeadLettersModule } from './dead-letters/dead-letters.module';
import {
  MESSAGING_FEATURES,
  MESSAGING_OPTIONS,
  MESSAGING_REDIS,
  optionSliceToken,
} from './messaging.constants';
import {
  ConfigurableMessagingModule,
  MESSAGING_ASYNC_OPTIONS_TYPE,
  MESSAGING_MODULE_OPTIONS,
  MESSAGING_OPTIONS_TYPE,
} from './messaging-module-definition';
import {
  FEATURE_DEFAULTS,
  MessagingFeatures,
  OptionGroupName,
  ResolvedMessagingOptions,
  ServiceIdentity,
} from './messaging.options';
import { GROUP_DEFAULTS, resolveMessagingOptions } from './resolve-messaging-options';
import { messagingRedisProvider } from './messaging-redis.provider';
import { ObservabilityModule } from './observability/observability.module';
import { OutboxModule } from './outbox/outbox.module';
import { PublishingModule } from './publishing/publishing.module';

/** Holds the resolved options and shared clients, global so every feature module can inject them. */
@Global()
@Module({})
class MessagingCoreModule implements OnApplicationShutdown {
  constructor(@Inject(MESSAGING_REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** `<service>@<host>:<pid>`: the relay's owner id starts with the same, so rows and connections match up. */
const connectionName = (o: ResolvedMessagingOptions) => `${o.serviceName}@${hostname()}:${process.pid}`;

/** Each feature injects only its option group (`InjectOptions('relay')`), never the whole options object. */
const optionSlices = [
  ...(Object.keys(GROUP_DEFAULTS) as OptionGroupName[]).map((group) => ({
    provide: optionSliceToken(group),
    inject: [MESSAGING_OPTIONS],
    useFactory: (o: ResolvedMessagingOptions) => o[group],
  })),
  {
    provide: optionSliceToken('service'),
    inject: [MESSAGING_OPTIONS],
    useFactory: (o: ResolvedMessagingOptions): ServiceIdentity => ({
      serviceName: o.serviceName,
      redisKeyPrefix: o.redisKeyPrefix,
    }),
  },
];

function featureModules(features: MessagingFeatures) {
  return [
    OutboxModule,
    PublishingModule,
    ConsumingModule,
    DeadLettersModule,
    AlertingModule,
    ObservabilityModule.forFeatures(features),
    ...(features.admin ? [AdminModule] : []),
  ];
}

/**
 * Everything reliable messaging needs, from one options object: TypeORM (mysql2), RabbitMQ through
 * golevelup, ioredis and @nestjs/schedule, plus the outbox, relay, reliable consuming, dead letters,
 * alerts and the admin page.
 */
@Module({})
export class MessagingModule extends ConfigurableMessagingModule {
  static override forRoot(options: typeof MESSAGING_OPTIONS_TYPE): DynamicModule {
    return MessagingModule.assemble(super.forRoot(options), options.features);
  }

  static override forRootAsync(options: typeof MESSAGING_ASYNC_OPTIONS_TYPE): DynamicModule {
    return MessagingModule.assemble(super.forRootAsync(options), options.features);
  }

  private static assemble(definition: DynamicModule, switches?: Partial<MessagingFeatures>): DynamicModule {
    const features: MessagingFeatures = { ...FEATURE_DEFAULTS, ...switches };
    const modules = featureModules(features);
    const core: DynamicModule = {
      module: MessagingCoreModule,
      global: true,
      imports: definition.imports ?? [],
      providers: [
        ...(definition.providers ?? []),
        {
          provide: MESSAGING_OPTIONS,
          inject: [MESSAGING_MODULE_OPTIONS],
          useFactory: resolveMessagingOptions,
        },
        ...optionSlices,
        { provide: MESSAGING_FEATURES, useValue: features },
        messagingRedisProvider,
        AlertBus,
      ],
      exports: [
        MESSAGING_OPTIONS,
        ...optionSlices.map((slice) => slice.provide),
        MESSAGING_FEATURES,
        MESSAGING_REDIS,
        AlertBus,
      ],
    };
    return {
      module: MessagingModule,
      global: true,
      imports: [
        core,
        TypeOrmModule.forRootAsync({
          inject: [MESSAGING_OPTIONS],
          useFactory: (o: ResolvedMessagingOptions) => ({
            ...dataSourceOptions(o),
            retryAttempts: 3,
            retryDelay: 1000,
          }),
        }),
        TypeOrmModule.forFeature(MESSAGING_ENTITIES),
        RabbitMQModule.forRootAsync({
          inject: [MESSAGING_OPTIONS],
          useFactory: (o: ResolvedMessagingOptions) => ({
            uri: o.rabbitmqUrls,
            // Start without a broker: producers keep committing to the outbox and the relay catches up.
            connectionInitOptions: { wait: false },
            connectionManagerOptions: {
              heartbeatIntervalInSeconds: 5,
              reconnectTimeInSeconds: 1,
              connectionOptions: {
                // amqplib leaves Nagle's algorithm on: a small frame (a publish, an ack) then waits for
                // the ACK of the previous one, which the broker's side delays by up to 40 ms. That was
                // 20-45 ms of every message's latency (docs/broker-behaviour.md, "Nagle").
                noDelay: true,
                // Names the connection in the management UI so an operator (or a fail-over test) can tell
                // which process it belongs to.
                clientProperties: { connection_name: connectionName(o) },
              },
            },
            // Never golevelup's default requeue loop: reliable subscriptions settle every message themselves.
            defaultSubscribeErrorBehavior: MessageHandlerErrorBehavior.NACK,
            registerHandlers: true,
          }),
        }),
        ScheduleModule.forRoot(),
        ...modules,
      ],
      providers: [BrokerWriteCoalescing, BrokerConnectionShutdown],
      exports: [core, TypeOrmModule, RabbitMQModule, ...modules],
    };
  }
}
