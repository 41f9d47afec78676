import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { MessagingFeatures, MessagingModuleOptions } from './messaging.options';

/**
 * `forRoot(options)` / `forRootAsync({ useFactory, inject })`, plus the `features` extra: it is read when
 * the module is defined (not from the async factory), so a switched-off part is never imported.
 */
export const {
  ConfigurableModuleClass: ConfigurableMessagingModule,
  MODULE_OPTIONS_TOKEN: MESSAGING_MODULE_OPTIONS,
  OPTIONS_TYPE: MESSAGING_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: MESSAGING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<MessagingModuleOptions>()
  .setClassMethodName('forRoot')
  .setExtras<{ features?: Partial<MessagingFeatures> }>({ features: {} }, (definition) => definition)
  .build();
