import type { IsolatedDatabase } from '../libs/messaging/test/support';

/** One class of failure (G7): side, where, why; the first of a class is emailed, the rest digested. */
export interface ParkedClass {
  origin: 'publish' | 'consume';
  /** Exchange (publish side) or queue/subscription (consume side): what the email names. */
  sources: string[];
  reason: string;
  parked: number;
}

export interface AlertVerdict {
  classes: number;
  emails: number;
  /** Classes with no immediate email. */
  missingFirst: string[];
  /** Classes with more parked rows than immediate emails and no digest listing the rest. */
  missingDigest: string[];
}

interface ClassRow {
  origin: 'publish' | 'consume';
  exchange: string | null;
  queue: string | null;
  consumer: string | null;
  reason: string;
  n: number | string;
}

/** Every failure class in a service's dead_letter table, from the database alone. */
export async function parkedClasses(db: IsolatedDatabase): Promise<ParkedClass[]> {
  const rows = await db.query<ClassRow>(
    `SELECT origin, exchange, queue, consumer, reason, COUNT(*) AS n FROM dead_letter
     GROUP BY origin, exchange, queue, consumer, reason`,
  );
  return rows.map((row) => ({
    origin: row.origin,
    sources: (row.origin === 'publish' ? [row.exchange] : [row.queue, row.consumer]).filter(
      (s): s is string => !!s,
    ),
    reason: row.reason,
    parked: Number(row.n),
  }));
}

/**
 * Each class needs its first email; when it parked more than it had first emails (one per process that
 * saw it), the rest must have reached a human in a digest.
 */
export function checkAlerts(classes: ParkedClass[], subjects: string[]): AlertVerdict {
  const missingFirst: string[] = [];
  const missingDigest: string[] = [];
  for (const cls of classes) {
    const label = `${cls.origin}|${cls.sources.join('/')}|${cls.reason}`;
    const names = (subject: string) =>
      cls.sources.some((source) => subject.includes(`${cls.reason} on ${source}`));
    const first = subjects.filter((s) => names(s) && !s.includes('] Digest: '));
    const digests = subjects.filter((s) => names(s) && s.includes('] Digest: '));
    if (first.length === 0) missingFirst.push(label);
    else if (cls.parked > first.length && digests.length === 0) missingDigest.push(label);
  }
  return { classes: classes.length, emails: subjects.length, missingFirst, missingDigest };
}
