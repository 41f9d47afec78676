import 'reflect-metadata';
import { runMessagingService } from '@app/messaging';
import { CONSUMER_SERVICE } from './consumer.env';

// The app module is loaded lazily: a configuration error is reported before the module graph is built.
runMessagingService(CONSUMER_SERVICE, () => import('./app.module').then((m) => m.AppModule));
