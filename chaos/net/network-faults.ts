import { sleep } from '../../libs/messaging/test/support';
import type { FleetMember } from '../chaos-fleet';
import type { NetworkLink } from './member-network';

/** The SQL a relay's claim and its sent-mark send (libs/messaging/src/outbox/outbox-claims.ts). */
export const CLAIM_SQL = 'FOR UPDATE SKIP LOCKED';
export const MARK_SQL = 'SET sent_at = UTC_TIMESTAMP';

/** How long a cut waits for its statement before it counts as not injected. */
const CUT_WAIT_MS = 30_000;

/**
 * One app cut from one service by a blackhole for `ms`. Returns what the proxy saw: whether the app
 * noticed by itself (closed a silenced connection: its heartbeat or timeout fired) before the heal.
 */
export async function blackhole(member: FleetMember, link: NetworkLink, ms: number): Promise<string> {
  const proxy = member.network.proxy(link);
  const closedBefore = proxy.closedWhileSilenced;
  const openAtStart = proxy.connections;
  proxy.blackhole();
  try {
    await sleep(ms);
  } finally {
    proxy.heal();
  }
  const noticed = proxy.closedWhileSilenced - closedBefore;
  return `${openAtStart} connections silenced, ${noticed} closed by the app before the heal`;
}

/** Same as `blackhole`, for one link of every member at once (e.g. Redis gone for the whole fleet). */
export async function blackholeAll(members: FleetMember[], link: NetworkLink, ms: number): Promise<string> {
  const details = await Promise.all(members.map((member) => blackhole(member, link, ms)));
  return members.map((member, i) => `${member.name}: ${details[i]}`).join('; ');
}

/**
 * Resets a member's connection right after it sent `statement`: the server got it, the app never gets
 * the answer. Up to `times` cuts within the wait (a relay that owns few partitions marks rarely); throws
 * only when the statement never came (nothing injected).
 */
export async function cutAfterStatement(
  member: FleetMember,
  statement: string,
  times: number,
): Promise<string> {
  const proxy = member.network.proxy('mariadb');
  const cuts = proxy.cutAfterClientSends(statement, times);
  const timer = setTimeout(() => proxy.heal(), CUT_WAIT_MS);
  const hits = await cuts.finally(() => clearTimeout(timer));
  if (hits === 0) throw new Error(`no "${statement}" sent within ${CUT_WAIT_MS} ms: nothing cut`);
  return `${hits} connections reset right after "${statement}"`;
}

/** Added round-trip latency (half each way) on one link of every member, for `ms`. */
export async function latencyAll(
  members: FleetMember[],
  link: NetworkLink,
  roundTripMs: number,
  ms: number,
): Promise<string> {
  for (const member of members) member.network.proxy(link).setLatency(roundTripMs / 2);
  try {
    await sleep(ms);
  } finally {
    for (const member of members) member.network.proxy(link).setLatency(0);
  }
  return `${roundTripMs} ms round trip to ${link} for ${members.length} apps`;
}
