import { MessagingSchema1764072000000 } from './1764072000000-messaging-schema';

/** The library's migrations in order; apps append their own (see MessagingModuleOptions.migrations). */
export const MESSAGING_MIGRATIONS = [MessagingSchema1764072000000];
