import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { RELAY_OWNER_MAX_LENGTH } from '../outbox/outbox-message.entity';

/** What `locked_by` can hold: printable ASCII without spaces, at most its width. */
export const RELAY_OWNER_PATTERN = new RegExp(`^[\\x21-\\x7e]{1,${RELAY_OWNER_MAX_LENGTH}}$`);

/**
 * `${serviceName}@${hostname}:${pid}:<random>`, the host name shortened to fit `locked_by` (the service
 * name, pid and random part are what tell two relays apart).
 */
export function defaultRelayOwnerId(serviceName: string): string {
  const tail = `:${process.pid}:${randomBytes(3).toString('hex')}`;
  const room = Math.max(0, RELAY_OWNER_MAX_LENGTH - serviceName.length - 1 - tail.length);
  const host = hostname()
    .replace(/[^\x21-\x7e]/g, '')
    .slice(0, room);
  return `${serviceName}@${host}${tail}`.slice(-RELAY_OWNER_MAX_LENGTH);
}
