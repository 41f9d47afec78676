import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/**
 * Leases of keyed relay partitions (docs/publishing.md): each partition has at most one owner whose lease has not
 * expired, and live relays converge on a fair share each (ceil(partitions / live relays)). The claim
 * query checks the lease itself, so a relay whose lease lapsed stops claiming that partition at once.
 */
@Injectable()
export class PartitionOwnership {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One renewal round: heartbeat, renew own leases, give back the excess, take free partitions. Returns the partitions owned. */
  async renew(owner: string, partitions: number, leaseMs: number): Promise<number[]> {
    const leaseUs = leaseMs * 1000;
    // The expression is repeated rather than `VALUES(alive_until)`: MySQL 8 deprecates VALUES() in
    // upserts and MariaDB lacks MySQL's row alias, so this is the form both accept (docs/databases.md).
    await this.dataSource.query(
      /* sql */ `INSERT INTO outbox_relay_instance (owner, alive_until)
       VALUES (?, DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ? MICROSECOND))
       ON DUPLICATE KEY UPDATE alive_until = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ? MICROSECOND)`,
      [owner, leaseUs, leaseUs],
    );
    await this.dataSource.query(
      /* sql */ `DELETE FROM outbox_relay_instance WHERE alive_until < DATE_SUB(UTC_TIMESTAMP(3), INTERVAL ? MICROSECOND)`,
      [leaseUs],
    );
    await this.dataSource.query(
      /* sql */ `INSERT IGNORE INTO outbox_partition_lease (\`partition\`) VALUES ?`,
      [Array.from({ length: partitions }, (_, p) => [p])],
    );
    await this.dataSource.query(
      /* sql */ `UPDATE outbox_partition_lease SET lease_until = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ? MICROSECOND)
       WHERE owner = ? AND lease_until > UTC_TIMESTAMP(3)`,
      [leaseUs, owner],
    );
    const [{ live }] = await this.dataSource.query<Array<{ live: string }>>(
      /* sql */ `SELECT COUNT(*) AS live FROM outbox_relay_instance WHERE alive_until > UTC_TIMESTAMP(3)`,
    );
    const fairShare = Math.ceil(partitions / Math.max(1, Number(live)));
    let owned = await this.owned(owner);
    if (owned.length > fairShare) {
      // Handing a partition over is safe mid-flight: its in-flight rows stay leased to this relay, and a
      // key's next row is not claimable by anyone until the earlier one is settled.
      await this.dataSource.query(
        /* sql */ `UPDATE outbox_partition_lease SET owner = NULL, lease_until = NULL
         WHERE owner = ? AND \`partition\` IN (?)`,
        [owner, owned.slice(fairShare)],
      );
    } else if (owned.length < fairShare) {
      await this.dataSource.query(
        /* sql */ `UPDATE outbox_partition_lease
           SET owner = ?, lease_until = DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ? MICROSECOND)
         WHERE \`partition\` < ? AND (owner IS NULL OR lease_until IS NULL OR lease_until <= UTC_TIMESTAMP(3))
         ORDER BY \`partition\` LIMIT ?`,
        [owner, leaseUs, partitions, fairShare - owned.length],
      );
    }
    owned = await this.owned(owner);
    return owned;
  }

  /** Gives every partition back and leaves the live set (graceful shutdown). */
  async releaseAll(owner: string): Promise<void> {
    await this.dataSource.query(
      /* sql */ `UPDATE outbox_partition_lease SET owner = NULL, lease_until = NULL WHERE owner = ?`,
      [owner],
    );
    await this.dataSource.query(/* sql */ `DELETE FROM outbox_relay_instance WHERE owner = ?`, [owner]);
  }

  private async owned(owner: string): Promise<number[]> {
    const rows = await this.dataSource.query<Array<{ p: number }>>(
      /* sql */ `SELECT \`partition\` AS p FROM outbox_partition_lease
       WHERE owner = ? AND lease_until > UTC_TIMESTAMP(3) ORDER BY \`partition\``,
      [owner],
    );
    return rows.map((r) => Number(r.p));
  }
}
