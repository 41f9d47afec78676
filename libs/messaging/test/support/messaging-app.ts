import type { INestApplication, LogLevel, ModuleMetadata, Provider } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MessagingModule, ReliableSubscriptionExplorer } from '@app/messaging/testing';

/*
 * Not re-exported from ./index: the chaos harness and the benchmarks import that index outside Jest, and
 * this file loads the whole library.
 */

/** What `MessagingModule.forRoot` takes: the module options and the `features` switches. */
export type MessagingAppOptions = Parameters<typeof MessagingModule.forRoot>[0];

export interface MessagingAppExtras {
  /** Test handlers and other providers of the app's root module. */
  providers?: Provider[];
  /** HTTP or microservice controllers of the app's root module. */
  controllers?: ModuleMetadata['controllers'];
  /** Modules imported after `MessagingModule`. */
  imports?: ModuleMetadata['imports'];
  /** Nest's logger levels; Nest's default logger when left out. */
  logger?: LogLevel[] | false;
}

/** A Nest app around `MessagingModule.forRoot(options)`, created but not yet initialised or listening. */
export async function createMessagingApp(
  options: MessagingAppOptions,
  extras: MessagingAppExtras = {},
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [MessagingModule.forRoot(options), ...(extras.imports ?? [])],
    controllers: extras.controllers ?? [],
    providers: extras.providers ?? [],
  }).compile();
  return extras.logger === undefined
    ? moduleRef.createNestApplication()
    : moduleRef.createNestApplication({ logger: extras.logger });
}

/** `createMessagingApp`, initialised, once every reliable subscription consumes. */
export async function startConsumingApp(
  options: MessagingAppOptions,
  extras: MessagingAppExtras = {},
): Promise<INestApplication> {
  const app = await createMessagingApp(options, extras);
  await app.init();
  await app.get(ReliableSubscriptionExplorer).whenConsuming();
  return app;
}
