import 'reflect-metadata';
import { connectReliableTransport, runMessagingService } from '@app/messaging';
import { BILLING_CONSUMER } from './billing/order-events.handler';
import { CONSUMER_SERVICE } from './consumer.env';

// The app module is loaded lazily: a configuration error is reported before the module graph is built.
runMessagingService(
  CONSUMER_SERVICE,
  () => import('./app.module').then((m) => m.AppModule),
  // Billing's @EventPattern handlers run on the reliable transport, beside the HTTP API (hybrid app).
  async (app) => {
    connectReliableTransport(app, { consumer: BILLING_CONSUMER });
    await app.init();
    await app.startAllMicroservices();
  },
);
