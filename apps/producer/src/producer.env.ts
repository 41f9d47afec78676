import type { EnvDefaults } from '@app/messaging';

export const PRODUCER_ENV_DEFAULTS: EnvDefaults = { port: 3000, database: 'orders' };
export const PRODUCER_SERVICE_NAME = 'orders';
