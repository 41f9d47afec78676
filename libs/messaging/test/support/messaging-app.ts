import type { INestApplication, LogLevel, ModuleMetadata, Provider } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  MessagingModule,
  MessagingModuleOptions,
  ReliableSubscriptionExplorer,
} from '@app/messaging/testing';
import { lateBound } from './block-fixture';
import type { TestNamespace } from './test-namespace';

/*
 * Not re-exported from ./index: the chaos harness and the benchmarks import that index outside Jest, and
 * this file loads the whole library (and its `use…` fixtures register Jest hooks).
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

/** Initialises a created app and resolves once every reliable subscription consumes. */
async function startConsuming(app: INestApplication): Promise<void> {
  await app.init();
  await app.get(ReliableSubscriptionExplorer).whenConsuming();
}

/** What a describe block's app sets on top of its namespace's options (`TestNamespace.options`). */
export type AppOverrides = Partial<MessagingModuleOptions>;

export interface AppFixtureExtras extends MessagingAppExtras {
  /** How the created app starts; `app.init()` when left out. */
  start?: (app: INestApplication) => Promise<unknown>;
}

/**
 * A describe block's app: `createMessagingApp(ns.options(overrides), extras)` in `beforeAll`, then
 * `start`, and closed in `afterAll`. The returned app stands for that one (see `lateBound`): tests call
 * `app.get(…)` on it as usual; a test may close it itself, the `afterAll` then leaves it be.
 * `overrides` may be a function, read in `beforeAll`, where a value exists only from then on (the URL
 * of an SMTP sink, say).
 */
export function useMessagingApp(
  ns: TestNamespace,
  { start = (app) => app.init(), ...extras }: AppFixtureExtras,
  overrides: AppOverrides | (() => AppOverrides),
): INestApplication {
  let app: INestApplication | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= app ? app.close() : Promise.resolve());
  beforeAll(async () => {
    app = await createMessagingApp(
      ns.options(typeof overrides === 'function' ? overrides() : overrides),
      extras,
    );
    await start(app);
  });
  afterAll(close);
  return lateBound('the messaging app', () => app, { close });
}

/** `useMessagingApp` started by `startConsuming`: initialised, every reliable subscription consuming. */
export function useConsumingApp(
  ns: TestNamespace,
  extras: MessagingAppExtras,
  overrides: AppOverrides | (() => AppOverrides),
): INestApplication {
  return useMessagingApp(ns, { ...extras, start: startConsuming }, overrides);
}
