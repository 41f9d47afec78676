import { Body, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiForbiddenResponse, ApiOperation, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { AdminIdentity } from '../dead-letters/admin-identity';
import type { DeadLetter } from '../dead-letters/dead-letter.entity';
import { DeadLetterGroup, DeadLetterGroups } from '../dead-letters/dead-letter-groups';
import { ScheduledMessage, ScheduledMessages } from '../outbox/scheduled-messages';
import { AdminAudit, AdminAuditEntry } from '../dead-letters/admin-audit';
import { AuditQueryDto, EditPayloadDto, ScheduledQueryDto } from './admin-console.dto';
import { DiscardDeadLetterDto } from './dead-letter-actions.dto';
import { DeadLetterCounts, DeadLetterAdminService } from '../dead-letters/dead-letter-admin.service';
import { DeadLetterEditor } from '../dead-letters/dead-letter-edit.service';
import { GroupAction, GroupActions } from '../dead-letters/group-actions.service';
import { ScheduledCancellation } from '../dead-letters/scheduled-cancellation';
import { Actor, AdminJsonApi, ApiAction } from './admin-controllers.decorators';

const FINGERPRINT = /^[0-9a-f]{16}$/;
const DEFAULT_LIMIT = 50;

/** Failure groups, group actions, edit-and-retry, the audit and scheduled messages (JSON API, ADR 0302). */
@AdminJsonApi('admin/api')
@ApiForbiddenResponse({ description: 'The viewer token cannot change anything' })
@ApiTooManyRequestsResponse({ description: 'Too many wrong tokens from this client; see Retry-After' })
export class AdminConsoleApiController {
  constructor(
    private readonly groups: DeadLetterGroups,
    private readonly groupActions: GroupActions,
    private readonly deadLetters: DeadLetterAdminService,
    private readonly editor: DeadLetterEditor,
    private readonly audit: AdminAudit,
    private readonly scheduled: ScheduledMessages,
    private readonly cancellation: ScheduledCancellation,
  ) {}

  @Get('dead-letters/groups')
  @ApiOperation({
    summary: 'Failure groups with open dead letters: counts, first/last seen, example, queues',
  })
  async listGroups(): Promise<{
    groups: Array<DeadLetterGroup & { action?: GroupAction }>;
    counts: DeadLetterCounts;
  }> {
    const [groups, counts] = await Promise.all([this.groups.list(), this.deadLetters.counts()]);
    const actions = await this.groupActions.latest(groups.map((g) => g.fingerprint));
    return { groups: groups.map((g) => ({ ...g, action: actions.get(g.fingerprint) })), counts };
  }

  @Get('dead-letters/groups/:fingerprint')
  @ApiOperation({ summary: 'One failure group and its latest action' })
  async getGroup(
    @Param('fingerprint') fingerprint: string,
  ): Promise<DeadLetterGroup & { action?: GroupAction }> {
    const group = FINGERPRINT.test(fingerprint) ? await this.groups.get(fingerprint) : null;
    if (!group) throw new NotFoundException(`No failure group ${fingerprint}`);
    const actions = await this.groupActions.latest([fingerprint]);
    return { ...group, action: actions.get(fingerprint) };
  }

  @ApiAction(
    'dead-letters/groups/:fingerprint/replay',
    'Replay every open dead letter of the group, in background batches; returns the action',
    202,
  )
  replayGroup(@Param('fingerprint') fingerprint: string, @Actor() who: AdminIdentity): Promise<GroupAction> {
    return this.groupActions.start(this.checked(fingerprint), 'replay', who);
  }

  @ApiAction(
    'dead-letters/groups/:fingerprint/discard',
    'Discard every open dead letter of the group with a reason, in background batches',
    202,
  )
  discardGroup(
    @Param('fingerprint') fingerprint: string,
    @Body() body: DiscardDeadLetterDto,
    @Actor() who: AdminIdentity,
  ): Promise<GroupAction> {
    return this.groupActions.start(this.checked(fingerprint), 'discard', who, body.reason);
  }

  @Get('dead-letters/actions/:id')
  @ApiOperation({ summary: 'Progress of a group replay or discard' })
  action(@Param('id') id: string): Promise<GroupAction> {
    return this.groupActions.get(id);
  }

  @ApiAction(
    'dead-letters/:id/edit',
    "Store a corrected payload beside the original (checked against the consumer's schema)",
  )
  edit(
    @Param('id') id: string,
    @Body() body: EditPayloadDto,
    @Actor() who: AdminIdentity,
  ): Promise<DeadLetter> {
    return this.editor.edit(id, JSON.stringify(body.payload), who);
  }

  @Get('audit')
  @ApiOperation({ summary: 'Admin actions, newest first (keyset pages with `before`)' })
  async listAudit(
    @Query() query: AuditQueryDto,
  ): Promise<{ items: AdminAuditEntry[]; nextBefore: string | null }> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const items = await this.audit.list(limit, query.before, query.action);
    return { items, nextBefore: items.length === limit ? items[items.length - 1].id : null };
  }

  @Get('scheduled')
  @ApiOperation({
    summary: 'Scheduled messages not yet due, in due order (keyset pages with afterDue + afterId)',
  })
  async listScheduled(
    @Query() query: ScheduledQueryDto,
  ): Promise<{ items: ScheduledMessage[]; pending: number }> {
    const after =
      query.afterId && query.afterDue ? { id: query.afterId, deliverAt: query.afterDue } : undefined;
    const [items, pending] = await Promise.all([
      this.scheduled.list(query.limit ?? DEFAULT_LIMIT, after),
      this.scheduled.countPending(),
    ]);
    return { items, pending };
  }

  @ApiAction(
    'scheduled/:id/cancel',
    'Cancel a scheduled message before a relay claims it; 404 when gone or claimed',
  )
  async cancelScheduled(@Param('id') id: string, @Actor() who: AdminIdentity): Promise<ScheduledMessage> {
    return this.cancellation.cancel(id, who);
  }

  private checked(fingerprint: string): string {
    if (!FINGERPRINT.test(fingerprint)) throw new NotFoundException(`No failure group ${fingerprint}`);
    return fingerprint;
  }
}
