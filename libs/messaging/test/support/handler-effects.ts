/** One recorded handler run: the delivery it handled and what it was handed. */
export interface HandlerEffect {
  messageId: string;
  attempt: number;
  payload: unknown;
}

/** The effects test handlers had, per handler name: what a user would observe (one entry per recorded run). */
export class HandlerEffects {
  private readonly byHandler = new Map<string, HandlerEffect[]>();

  record(handler: string, payload: unknown, delivery: { messageId: string; attempt: number }): void {
    const list = this.byHandler.get(handler) ?? [];
    list.push({ messageId: delivery.messageId, attempt: delivery.attempt, payload });
    this.byHandler.set(handler, list);
  }

  of(handler: string): HandlerEffect[] {
    return this.byHandler.get(handler) ?? [];
  }

  /** Recorded runs of every handler together. */
  total(): number {
    return [...this.byHandler.values()].reduce((sum, list) => sum + list.length, 0);
  }
}
