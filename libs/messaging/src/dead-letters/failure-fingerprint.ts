import { createHash } from 'node:crypto';

/** What decides a dead letter's failure group. */
export interface FailureCause {
  origin: string;
  /** The consumer (consume side) or the exchange (publish side); never the partition queue. */
  source: string | null;
  reason: string;
  errorClass: string | null;
  error: string | null;
}

export interface Fingerprinted {
  fingerprint: string;
  normalizedError: string;
}

const MAX_NORMALIZED = 512;

/**
 * The error text with what differs from one message to the next taken out, so one bug is one group:
 * quoted values, UUIDs, hex ids, e-mail addresses, numbers and numbered words (`order-123`).
 */
export function normalizeError(text: string | null): string {
  if (!text) return '';
  return text
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '<v>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, '<email>')
    .replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{12,}\b/gi, '<id>')
    .replace(/[\w-]*\d[\w-]*/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_NORMALIZED);
}

/** The error class named at the start of an error text (`TypeError: …`), when the parker gave none. */
export function errorClassOf(error: string | null): string | null {
  const match = /^([A-Z][\w$]*(?:Error|Exception))\b/.exec(error ?? '');
  return match ? match[1] : null;
}

/** 16 hex characters of a SHA-256 over the cause: stable across processes, short enough for URLs. */
export function failureFingerprint(cause: FailureCause): Fingerprinted {
  const normalizedError = normalizeError(cause.error);
  const errorClass = cause.errorClass ?? errorClassOf(cause.error) ?? '';
  const fingerprint = createHash('sha256')
    .update([cause.origin, cause.source ?? '', cause.reason, errorClass, normalizedError].join('\u0000'))
    .digest('hex')
    .slice(0, 16);
  return { fingerprint, normalizedError };
}
