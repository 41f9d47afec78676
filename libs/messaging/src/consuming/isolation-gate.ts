/**
 * Lets deliveries run side by side, except a suspect, which runs alone: it waits until every delivery
 * that entered before it left, and every delivery arriving after it waits until it left (FIFO, so
 * neither side starves). A suspect is a redelivered message: it may be the one whose handler killed the
 * previous consumer process. Run alone, a crash is charged (Redis attempt count, broker delivery count)
 * to it only, instead of to every delivery that happened to be in flight beside it, so after its
 * attempts it alone is parked (docs/consuming.md, ADR 0208).
 *
 * One gate per process: a crash kills every subscription's deliveries, not only the suspect's own.
 */
export class IsolationGate {
  private shared = 0;
  private exclusive = false;
  private readonly waiting: Array<{ alone: boolean; admit: () => void }> = [];

  /** Undefined when the delivery may start now; otherwise resolves when it may. */
  enter(alone: boolean): Promise<void> | undefined {
    if (this.waiting.length === 0 && this.admits(alone)) {
      this.take(alone);
      return undefined;
    }
    return new Promise((admit) => this.waiting.push({ alone, admit }));
  }

  leave(alone: boolean): void {
    if (alone) this.exclusive = false;
    else this.shared--;
    while (this.waiting.length > 0 && this.admits(this.waiting[0].alone)) {
      const next = this.waiting.shift()!;
      this.take(next.alone);
      next.admit();
    }
  }

  /** Deliveries running now (for tests). */
  get running(): number {
    return this.shared + (this.exclusive ? 1 : 0);
  }

  private admits(alone: boolean): boolean {
    return !this.exclusive && (!alone || this.shared === 0);
  }

  private take(alone: boolean): void {
    if (alone) this.exclusive = true;
    else this.shared++;
  }
}

export const PROCESS_ISOLATION_GATE = new IsolationGate();
