import type { InFlightRow } from '../outbox/outbox-claims';

/** The rows of one claim still awaiting their confirms. */
export interface ClaimInFlight {
  readonly rows: InFlightRow[];
  /** Per row of `rows`: its confirm (or failure) has arrived. */
  readonly answered: boolean[];
  open: number;
}

/**
 * The relay's rows awaiting their confirms, grouped by claim: a count for the window and, at shutdown,
 * the ids still unanswered. A `Map` by id would grow and shrink its table by thousands of entries per
 * claim, a reallocation each time, promoted like the rows themselves (docs/performance.md, relay RSS).
 */
export class InFlightRows {
  private readonly claims = new Set<ClaimInFlight>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Starts tracking a claim's rows, all unanswered. */
  add(rows: InFlightRow[]): ClaimInFlight {
    const claim: ClaimInFlight = {
      rows,
      answered: new Array<boolean>(rows.length).fill(false),
      open: rows.length,
    };
    if (rows.length > 0) this.claims.add(claim);
    this.count += rows.length;
    return claim;
  }

  /** Row `index` of `claim` got its answer; the claim is dropped once all have. */
  answered(claim: ClaimInFlight, index: number): void {
    if (claim.answered[index]) return;
    claim.answered[index] = true;
    this.count--;
    if (--claim.open === 0) this.claims.delete(claim);
  }

  /** Ids of the rows still awaiting an answer. */
  ids(): string[] {
    const ids: string[] = [];
    for (const claim of this.claims) {
      claim.rows.forEach((row, i) => {
        if (!claim.answered[i]) ids.push(row.id);
      });
    }
    return ids;
  }
}
