import { Module } from '@nestjs/common';
import { CommittedRowsHandoff } from './committed-rows-handoff';
import { OutboxClaims } from './outbox-claims';
import { OutboxCommitSubscriber } from './outbox-commit.subscriber';
import { OutboxService } from './outbox.service';
import { OutboxWake } from './outbox-wake';
import { OutboxScheduler } from './outbox-scheduler';
import { ScheduledMessages } from './scheduled-messages';

@Module({
  providers: [
    OutboxService,
    OutboxWake,
    OutboxCommitSubscriber,
    CommittedRowsHandoff,
    OutboxClaims,
    OutboxScheduler,
    ScheduledMessages,
  ],
  exports: [
    OutboxService,
    OutboxWake,
    CommittedRowsHandoff,
    OutboxClaims,
    OutboxScheduler,
    ScheduledMessages,
  ],
})
export class OutboxModule {}
