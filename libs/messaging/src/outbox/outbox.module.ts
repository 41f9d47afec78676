import { Module } from '@nestjs/common';
import { OutboxCommitSubscriber } from './outbox-commit.subscriber';
import { OutboxService } from './outbox.service';
import { OutboxWake } from './outbox-wake';

@Module({
  providers: [OutboxService, OutboxWake, OutboxCommitSubscriber],
  exports: [OutboxService, OutboxWake],
})
export class OutboxModule {}
