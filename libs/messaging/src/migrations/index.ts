import { MessagingSchema1764072000000 } from './1764072000000-messaging-schema';
import { OutboxRelayPartitions1764300000000 } from './1764300000000-outbox-relay-partitions';
import { OutboxClaimIndexes1764500000000 } from './1764500000000-outbox-claim-indexes';
import { OutboxScheduling1764700000000 } from './1764700000000-outbox-scheduling';
import { DeadLetterGroupsAndAudit1764800000000 } from './1764800000000-dead-letter-groups-and-audit';
import { AlertWindows1764900000000 } from './1764900000000-alert-windows';
import { OutboxLeaseInPlace1765000000000 } from './1765000000000-outbox-lease-in-place';

/** The library's migrations in order; apps append their own (see MessagingModuleOptions.migrations). */
export const MESSAGING_MIGRATIONS = [
  MessagingSchema1764072000000,
  OutboxRelayPartitions1764300000000,
  OutboxClaimIndexes1764500000000,
  OutboxScheduling1764700000000,
  DeadLetterGroupsAndAudit1764800000000,
  AlertWindows1764900000000,
  OutboxLeaseInPlace1765000000000,
];
