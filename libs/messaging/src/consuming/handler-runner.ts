import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AttemptCounter } from './attempt-counter';
import {
  AttemptsExhaustedError,
  DatabaseUnavailableError,
  HandlerFailedError,
  RedisUnavailableError,
  UnprocessableMessageError,
} from './consume-errors';
import { pipelineStateOf, ReliableDeliveryContext } from './delivery-context';
import { InboxBatcher } from './inbox-batcher';
import type { InboxBatchSettings } from './inbox-batch-settings';
import { runInInbox } from './inbox-transaction';
import { retryVerdict, RetryPolicy } from './retry-policy';
import { sleep } from './sleep';

export type ReliableHandler = (payload: unknown, delivery: ReliableDeliveryContext) => Promise<unknown>;

/**
 * The innermost step of a reliable delivery, inside the dedupe interceptor: counts the run, runs the
 * handler (in its inbox transaction when asked), retries in process as the policy says, and turns a
 * final failure into `HandlerFailedError` carrying the verdict for the consumer to settle.
 */
export class HandlerRunner {
  private readonly logger = new Logger(HandlerRunner.name);
  private readonly batcher?: InboxBatcher;

  /** `dataSource` turns on inbox mode; `inboxBatch` its group commit (else one transaction per run). */
  constructor(
    private readonly handler: ReliableHandler,
    private readonly policy: RetryPolicy,
    private readonly attempts: AttemptCounter,
    private readonly dataSource: DataSource | undefined,
    inboxBatch?: InboxBatchSettings,
  ) {
    if (dataSource && inboxBatch) this.batcher = new InboxBatcher(dataSource, inboxBatch);
  }

  async run(payload: unknown, delivery: ReliableDeliveryContext): Promise<unknown> {
    this.batcher?.enter();
    try {
      return await this.runAttempts(payload, delivery);
    } finally {
      this.batcher?.leave();
    }
  }

  private async runAttempts(payload: unknown, delivery: ReliableDeliveryContext): Promise<unknown> {
    // The dedupe claim counted the first run and its done mark forgets the count.
    const { claimedAttempt } = pipelineStateOf(delivery);
    const countedByClaim = claimedAttempt !== undefined;
    for (let runs = 1; ; runs++) {
      // The claim's count is used as is: no promise and no turn of the event loop for it.
      delivery.attempt =
        runs === 1 && claimedAttempt !== undefined ? claimedAttempt : await this.startAttempt(delivery, runs);
      if (delivery.attempt > this.policy.maxAttempts) throw new AttemptsExhaustedError(delivery.attempt);
      try {
        const result = await this.once(payload, delivery);
        if (!countedByClaim) await this.attempts.forget(delivery.consumer, delivery.messageId);
        return result;
      } catch (error) {
        // Bad input found by the handler's own checks (a Nest pipe): no retry can make it valid.
        if (error instanceof UnprocessableMessageError) throw error;
        await this.holdIfDatabaseDown(delivery, error);
        const verdict = retryVerdict(this.policy, delivery.attempt, runs);
        this.logger.warn({
          msg: 'handler failed',
          consumer: delivery.consumer,
          messageId: delivery.messageId,
          attempt: delivery.attempt,
          next: verdict.action,
          error: error instanceof Error ? error.message : String(error),
        });
        if (verdict.action !== 'retry-in-process')
          throw new HandlerFailedError(error, verdict, delivery.attempt);
        await sleep(verdict.delayMs);
      }
    }
  }

  /**
   * An inbox transaction that failed because MySQL is down says nothing about the message: a restart of a
   * few seconds must not use up its budget and park a good message. Probed, not guessed from the error.
   */
  private async holdIfDatabaseDown(delivery: ReliableDeliveryContext, error: unknown): Promise<void> {
    if (!this.dataSource) return;
    const answers = await this.dataSource.query('SELECT 1').then(
      () => true,
      () => false,
    );
    if (answers) return;
    await this.attempts.uncount(delivery.consumer, delivery.messageId);
    throw new DatabaseUnavailableError(error);
  }

  private once(payload: unknown, delivery: ReliableDeliveryContext): Promise<unknown> {
    const call = () => this.handler(payload, delivery);
    if (this.batcher) return this.batcher.run(delivery, call);
    return this.dataSource ? runInInbox(this.dataSource, delivery, call) : call();
  }

  private async startAttempt(delivery: ReliableDeliveryContext, runs: number): Promise<number> {
    try {
      return await this.attempts.start(delivery.consumer, delivery.messageId);
    } catch (error) {
      const { redisMode } = pipelineStateOf(delivery);
      if (!(error instanceof RedisUnavailableError) || redisMode === 'required') throw error;
      // Redis opted out and down: the broker's count is the best we have.
      const deliveryCount = Number(delivery.headers['x-delivery-count'] ?? 0);
      return deliveryCount + runs;
    }
  }
}
