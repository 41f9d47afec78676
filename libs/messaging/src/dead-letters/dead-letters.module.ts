import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { OutboxModule } from '../outbox/outbox.module';
import { AdminAudit } from './admin-audit';
import { DeadLetterAdminService } from './dead-letter-admin.service';
import { DeadLetterAlertQueries } from './dead-letter-alert-queries';
import { DeadLetterEditor } from './dead-letter-edit.service';
import { DeadLetterGroups } from './dead-letter-groups';
import { DeadLetterQueueDrainer } from './dead-letter-queue-drainer';
import { DeadLetterReplayer } from './dead-letter-replay.service';
import { DeadLetterService } from './dead-letter.service';
import { GroupActions } from './group-actions.service';
import { ScheduledCancellation } from './scheduled-cancellation';
import { SubscriptionSchemas } from './subscription-schemas';

/** The services the other folders use; SubscriptionSchemas only serves the editor here. */
const EXPORTED = [
  DeadLetterService,
  DeadLetterGroups,
  DeadLetterAlertQueries,
  DeadLetterQueueDrainer,
  DeadLetterAdminService,
  DeadLetterReplayer,
  DeadLetterEditor,
  GroupActions,
  AdminAudit,
  ScheduledCancellation,
];

/** Parking, failure groups and the operator actions on dead letters; admin/ only puts HTTP in front. */
@Module({
  imports: [DiscoveryModule, OutboxModule],
  providers: [...EXPORTED, SubscriptionSchemas],
  exports: EXPORTED,
})
export class DeadLettersModule {}
