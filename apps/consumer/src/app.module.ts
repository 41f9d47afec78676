import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import {
  MessagingModule,
  messagingOptionsFromEnv,
  readMessagingEnv,
  validateMessagingEnv,
} from '@app/messaging';
import { CONSUMER_ENV_DEFAULTS, CONSUMER_SERVICE_NAME } from './consumer.env';
import { CONSUMER_ENTITIES, CONSUMER_MIGRATIONS } from './consumer.migrations';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, validate: validateMessagingEnv(CONSUMER_ENV_DEFAULTS) }),
    MessagingModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) =>
        messagingOptionsFromEnv(readMessagingEnv(config), {
          serviceName: CONSUMER_SERVICE_NAME,
          entities: CONSUMER_ENTITIES,
          migrations: CONSUMER_MIGRATIONS,
        }),
    }),
  ],
})
export class AppModule {}
