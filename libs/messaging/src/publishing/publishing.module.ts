import { Module } from '@nestjs/common';
import { DeadLettersModule } from '../dead-letters/dead-letters.module';
import { OutboxModule } from '../outbox/outbox.module';
import { ConfirmedPublisher } from './confirmed-publisher';
import { FailedPublishes } from './failed-publishes';
import { OutboxRelay } from './outbox-relay.service';
import { PartitionOwnership } from './partition-ownership';
import { RelayJobs } from './relay-jobs';

@Module({
  imports: [OutboxModule, DeadLettersModule],
  providers: [ConfirmedPublisher, FailedPublishes, OutboxRelay, PartitionOwnership, RelayJobs],
  exports: [OutboxRelay, ConfirmedPublisher],
})
export class PublishingModule {}
