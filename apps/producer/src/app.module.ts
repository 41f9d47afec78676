import { Module, ValidationPipe } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import {
  MessagingModule,
  messagingLoggerParams,
  messagingOptionsFromEnv,
  readMessagingEnv,
  validateMessagingEnv,
} from '@app/messaging';
import { PRODUCER_ENV_DEFAULTS, PRODUCER_SERVICE_NAME } from './producer.env';
import { OrdersModule } from './orders/orders.module';
import { PRODUCER_ENTITIES, PRODUCER_MIGRATIONS } from './producer.migrations';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, validate: validateMessagingEnv(PRODUCER_ENV_DEFAULTS) }),
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) =>
        messagingLoggerParams({ level: config.get('LOG_LEVEL') ?? 'info', service: PRODUCER_SERVICE_NAME }),
    }),
    MessagingModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) =>
        messagingOptionsFromEnv(readMessagingEnv(config), {
          serviceName: PRODUCER_SERVICE_NAME,
          entities: PRODUCER_ENTITIES,
          migrations: PRODUCER_MIGRATIONS,
        }),
    }),
    OrdersModule,
  ],
  providers: [
    // Unknown fields are refused too: a typo in a field name is a 400, not a silently ignored value.
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
    },
  ],
})
export class AppModule {}
