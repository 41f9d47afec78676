import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MessagingModuleOptions } from './messaging.options';

export const {
  ConfigurableModuleClass: ConfigurableMessagingModule,
  MODULE_OPTIONS_TOKEN: MESSAGING_MODULE_OPTIONS,
  OPTIONS_TYPE: MESSAGING_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: MESSAGING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<MessagingModuleOptions>().setClassMethodName('forRoot').build();
