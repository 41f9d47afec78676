import type { EnvDefaults } from '@app/messaging';

export const CONSUMER_ENV_DEFAULTS: EnvDefaults = { port: 3001, database: 'billing' };
export const CONSUMER_SERVICE_NAME = 'billing';
