/**
 * The public API of `@app/messaging`: what an app needs to publish, consume and run a service. Everything
 * else is internal and may change without notice; tests and benchmarks reach internals through
 * `@app/messaging/testing` (see `docs/architecture.md`).
 */

// ── Module and options ────────────────────────────────────────────────────────────────────────────
/** The one module an app imports: `MessagingModule.forRoot(Async)(options)`. */
export { MessagingModule } from './messaging.module';
/** What an app passes to `forRoot`: connection URLs, service name and optional option groups. */
export { MessagingModuleOptions, MessagingFeatures } from './messaging.options';
/** Thrown at start-up when an option is out of range; `option` names it. */
export { InvalidMessagingOptionsError } from './messaging.options';
/** The option groups of `MessagingModuleOptions` (every field has a default). */
export {
  OutboxOptions,
  RelayOptions,
  RelayPartitionOptions,
  RetentionOptions,
} from './outbox/outbox.options';
export { ConsumingOptions } from './consuming/consuming.options';
export { AlertingOptions } from './alerting/alerting.options';
export { AdminOptions } from './admin/admin.options';
export { TopologyOptions } from './topology/topology.options';
export { MonitoringOptions } from './observability/monitoring.options';

// ── Running a service (environment, logs, HTTP hardening, migrations) ─────────────────────────────
/** A service's `main.ts` and module imports from one definition (name, env defaults, entities, migrations). */
export {
  MessagingServiceDefinition,
  messagingServiceImports,
  runMessagingService,
} from './bootstrap/messaging-service';
/** The environment every service reads, its validation for ConfigModule, and its mapping onto the options. */
export {
  MessagingEnv,
  validateMessagingEnv,
  messagingOptionsFromEnv,
  InvalidEnvironmentError,
} from './bootstrap/messaging-env';
/** Applies the library's and the app's migrations (what `node main.js migrate` runs). */
export { runMigrations } from './migrations/run-migrations';
/** Helmet, body limit and trust-proxy for an app that writes its own `main.ts`. */
export { hardenHttpApp } from './observability/http-hardening';
/** nestjs-pino settings with the message/trace fields of every log line. */
export { messagingLoggerParams } from './observability/logger-params';
/** Mounts the admin API's OpenAPI document at `/admin/api/docs`. */
export { setupAdminOpenApi } from './admin/admin-openapi';

// ── Publishing ────────────────────────────────────────────────────────────────────────────────────
/** Writes messages to the outbox inside the caller's transaction: `outbox.transaction(...)`, `add(...)`. */
export { OutboxService } from './outbox/outbox.service';
/** An event addressed by stream and type for `OutboxService.add` (no exchange names in apps). */
export { OutboxEvent } from './outbox/outbox-event';
/** Headers an app may set on an outgoing message. */
export { OutboxHeaders } from './outbox/new-outbox-message';
/** `deliverAt` / `delayMs` of a scheduled message, and the error for an invalid one. */
export { ScheduleOptions, InvalidScheduleError } from './outbox/outbox-scheduler';
/** Refused by `OutboxService.add`: a payload over `outbox.maxPayloadBytes` or not JSON-serializable. */
export { PayloadTooLargeError, PayloadNotSerializableError } from './outbox/payload-too-large.error';

// ── Consuming ─────────────────────────────────────────────────────────────────────────────────────
/** Marks a method as a reliable subscription (dedupe, retries, dead letters, optional ordering and inbox). */
export { ReliableSubscribe } from './consuming/reliable-subscribe.decorator';
/** Options of one subscription, its retry settings, and the context passed to the handler. */
export {
  ReliableSubscriptionOptions,
  RetryMode,
  RetryOptions,
  InboxBatchOptions,
  DeliveryContext,
} from './consuming/reliable-subscription.options';
/** Throw a subclass to park a message at once, without retries. */
export { UnprocessableMessageError } from './consuming/consume-errors';

// ── Broker topology ───────────────────────────────────────────────────────────────────────────────
/** Declares exchanges and queues of the app's streams at start-up. */
export { TopologyService } from './topology/topology.service';
/** Exchange and queue names of a stream, from the configured prefix. */
export { topologyNames, TopologyNames } from './topology/topology-names';
/** Header carrying the ordering key of a keyed message. */
export { ORDERING_KEY_HEADER } from './topology/topology-names';

// ── Nest microservice transport (ADR 0206) ────────────────────────────────────────────────────────
/** Transport running `@EventPattern` handlers on the reliable pipeline. */
export { ReliableServer } from './transport/reliable.server';
/** Builds a `ReliableServer` from an app, or attaches one to a hybrid app with its exception filter. */
export { reliableTransport, connectReliableTransport } from './transport/reliable-transport';
/** Per-handler settings of the transport, beside `@EventPattern`. */
export { ReliableEvent } from './transport/reliable-event.decorator';
/** Options of the transport server and of one handler. */
export { ReliableEventOptions, ReliableServerOptions } from './transport/reliable-event.options';
/** `@Ctx()` of a reliable handler: Nest's RmqContext plus message id, attempt and the inbox transaction. */
export { ReliableRmqContext } from './transport/reliable-rmq.context';
/** Global filter that hands the transport its handlers' errors unchanged (for apps using `reliableTransport`). */
export { ReliableExceptionFilter } from './transport/reliable-exception.filter';
/** ClientProxy whose `emit()` writes to the outbox inside `outbox.transaction(...)`. */
export { OutboxClientProxy, OutboxClientOptions } from './transport/outbox-client.proxy';
/** Ordering key, headers and message id of one emitted event. */
export { OutboxRecord, OutboxRecordBuilder, OutboxRecordOptions } from './transport/outbox-record.builder';
/**
 * What `emit()` / `send()` of the outbox client throw to their caller. The transport's other errors are
 * start-up refusals or `dead_letter.reason` codes, which an app reads and never catches.
 */
export { OutboxTransactionRequiredError, OutboxSendNotSupportedError } from './transport/transport-errors';

// ── Health and tracing ────────────────────────────────────────────────────────────────────────────
/** Readiness checks (broker, Redis, MySQL, outbox age) for an app that builds its own `/health`. */
export { MessagingHealthIndicators } from './observability/messaging-health.indicators';
/** Trace headers / ids of the current request or delivery, to pass on to outbound calls. */
export { currentTraceHeaders, currentTraceIds, TraceHeaders } from './observability/trace-context';
