import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import {
  MessagingModule,
  messagingLoggerParams,
  messagingOptionsFromEnv,
  readMessagingEnv,
  validateMessagingEnv,
} from '@app/messaging';
import { CONSUMER_ENV_DEFAULTS, CONSUMER_SERVICE_NAME } from './consumer.env';
import { BillingModule } from './billing/billing.module';
import { CONSUMER_ENTITIES, CONSUMER_MIGRATIONS } from './consumer.migrations';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, validate: validateMessagingEnv(CONSUMER_ENV_DEFAULTS) }),
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) =>
        messagingLoggerParams({ level: config.get('LOG_LEVEL') ?? 'info', service: CONSUMER_SERVICE_NAME }),
    }),
    MessagingModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) =>
        messagingOptionsFromEnv(readMessagingEnv(config), {
          serviceName: CONSUMER_SERVICE_NAME,
          entities: CONSUMER_ENTITIES,
          migrations: CONSUMER_MIGRATIONS,
        }),
    }),
    BillingModule,
  ],
})
export class AppModule {}
