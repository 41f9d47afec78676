import { Module } from '@nestjs/common';
import { OutboxClaims } from './outbox-claims';
import { OutboxCommitSubscriber } from './outbox-commit.subscriber';
import { OutboxService } from './outbox.service';
import { OutboxWake } from './outbox-wake';

@Module({
  providers: [OutboxService, OutboxWake, OutboxCommitSubscriber, OutboxClaims],
  exports: [OutboxService, OutboxWake, OutboxClaims],
})
export class OutboxModule {}
