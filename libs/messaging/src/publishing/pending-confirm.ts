import type { ConfirmDeadline } from './confirm-deadlines';
import type { PublishFailure } from './publish-failure';

/**
 * Called once per publish with its tag: `undefined` when the broker acked a routed message, else the
 * failure. One function can serve every publish of a batch: the tag says which one it is.
 */
export type PublishDone<T> = (failure: PublishFailure | undefined, tag: T) => void;

/** A publish awaiting its confirm, as the publisher sees it: whatever its tag is. */
export interface AwaitingConfirm<C> extends ConfirmDeadline {
  readonly channel: C;
  readonly messageId: string;
  readonly exchange: string;
  readonly routingKey: string;
  readonly started: number;
  report(failure: PublishFailure | undefined): void;
}

/** Where a publish awaiting its confirm reports its deadline passing. */
export interface ConfirmOutcomes<C> {
  expired(pending: AwaitingConfirm<C>): void;
}

/**
 * One publish awaiting its confirm, on channel `C`, and its own confirm deadline. At thousands of
 * messages a second each one lives about as long as a young-generation collection interval; a promise,
 * its resolvers and a closure per outcome made several objects per message, enough to have them promoted
 * and collected only by the old generation (docs/performance.md, relay RSS). It holds the ids an outcome
 * needs, never the message's content.
 */
export class PendingConfirm<C, T> implements AwaitingConfirm<C> {
  due = 0;
  open = false;
  readonly started = performance.now();

  constructor(
    private readonly outcomes: ConfirmOutcomes<C>,
    readonly channel: C,
    readonly messageId: string,
    readonly exchange: string,
    readonly routingKey: string,
    private tag: T | undefined,
    private done: PublishDone<T> | null,
  ) {}

  expire(): void {
    this.outcomes.expired(this);
  }

  /** Reports the outcome once; a confirm arriving after the deadline reported nothing more. */
  report(failure: PublishFailure | undefined): void {
    const { done, tag } = this;
    this.done = null;
    this.tag = undefined;
    done?.(failure, tag as T);
  }
}
