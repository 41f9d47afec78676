import 'reflect-metadata';
import { runMessagingService } from '@app/messaging';
import { PRODUCER_SERVICE } from './producer.env';

// The app module is loaded lazily: a configuration error is reported before the module graph is built.
runMessagingService(
  PRODUCER_SERVICE,
  () => import('./app.module').then((m) => m.AppModule),
  // Express hashes every response body for an ETag; no client of this API revalidates, and the hash
  // was a measurable share of the CPU per POST /orders (docs/performance.md, write path).
  (app) => Promise.resolve(void app.set('etag', false)),
);
