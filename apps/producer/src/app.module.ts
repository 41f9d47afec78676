import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import {
  MessagingModule,
  messagingOptionsFromEnv,
  readMessagingEnv,
  validateMessagingEnv,
} from '@app/messaging';
import { PRODUCER_ENV_DEFAULTS, PRODUCER_SERVICE_NAME } from './producer.env';
import { PRODUCER_ENTITIES, PRODUCER_MIGRATIONS } from './producer.migrations';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, validate: validateMessagingEnv(PRODUCER_ENV_DEFAULTS) }),
    MessagingModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) =>
        messagingOptionsFromEnv(readMessagingEnv(config), {
          serviceName: PRODUCER_SERVICE_NAME,
          entities: PRODUCER_ENTITIES,
          migrations: PRODUCER_MIGRATIONS,
        }),
    }),
  ],
})
export class AppModule {}
