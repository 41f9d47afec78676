import 'reflect-metadata';
import { runMessagingService } from '@app/messaging';
import { PRODUCER_SERVICE } from './producer.env';

// The app module is loaded lazily: a configuration error is reported before the module graph is built.
runMessagingService(PRODUCER_SERVICE, () => import('./app.module').then((m) => m.AppModule));
