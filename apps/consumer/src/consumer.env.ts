import type { MessagingServiceDefinition } from '@app/messaging';
import { CONSUMER_ENTITIES, CONSUMER_MIGRATIONS } from './consumer.migrations';

export const CONSUMER_SERVICE: MessagingServiceDefinition = {
  serviceName: 'billing',
  envDefaults: { port: 3001, database: 'billing' },
  entities: CONSUMER_ENTITIES,
  migrations: CONSUMER_MIGRATIONS,
  // Opted in so the benchmark figures of the demo apps stay comparable (ADR 0204).
  moduleOptions: { sockets: { coalesceWrites: true } },
};
