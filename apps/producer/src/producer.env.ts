import type { MessagingServiceDefinition } from '@app/messaging';
import { RELAY_OFF } from './order-row-only';
import { PRODUCER_ENTITIES, PRODUCER_MIGRATIONS } from './producer.migrations';

export const PRODUCER_SERVICE: MessagingServiceDefinition = {
  serviceName: 'orders',
  envDefaults: { port: 3000, database: 'orders' },
  entities: PRODUCER_ENTITIES,
  migrations: PRODUCER_MIGRATIONS,
  moduleOptions: {
    // Opted in so the benchmark figures of the demo apps stay comparable (ADR 0204).
    sockets: { coalesceWrites: true },
    ...(RELAY_OFF ? { relay: { enabled: false } } : {}),
  },
};
