import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { OutboxModule } from '../outbox/outbox.module';
import { AdminAudit } from './admin-audit';
import { DeadLetterAdminService } from './dead-letter-admin.service';
import { DeadLetterAlertQueries } from './dead-letter-alert-queries';
import { DeadLetterDiscarder } from './dead-letter-discard.service';
import { DeadLetterEditor } from './dead-letter-edit.service';
import { DeadLetterGroups } from './dead-letter-groups';
import { DeadLetterQueueDrainer } from './dead-letter-queue-drainer';
import { DeadLetterReplayer } from './dead-letter-replay.service';
import { DeadLetterResolutions } from './dead-letter-resolutions';
import { DeadLetterService } from './dead-letter.service';
import { EditedPayloadCheck } from './edited-payload-check';
import { GroupActions } from './group-actions.service';
import { ScheduledCancellation } from './scheduled-cancellation';
import { SubscriptionSchemas } from './subscription-schemas';

/** The services the other folders use; the rest serve them inside this folder. */
const EXPORTED = [
  DeadLetterService,
  DeadLetterGroups,
  DeadLetterAlertQueries,
  DeadLetterQueueDrainer,
  DeadLetterAdminService,
  DeadLetterReplayer,
  DeadLetterDiscarder,
  DeadLetterEditor,
  GroupActions,
  AdminAudit,
  ScheduledCancellation,
];

/** Parking, failure groups and the operator actions on dead letters; admin/ only puts HTTP in front. */
@Module({
  imports: [DiscoveryModule, OutboxModule],
  providers: [...EXPORTED, DeadLetterResolutions, EditedPayloadCheck, SubscriptionSchemas],
  exports: EXPORTED,
})
export class DeadLettersModule {}
