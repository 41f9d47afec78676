import { Body, Get, Param, Query } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { AdminIdentity } from '../dead-letters/admin-identity';
import type { DeadLetter } from '../dead-letters/dead-letter.entity';
import {
  DeadLetterAdminService,
  DeadLetterCounts,
  DeadLetterPage,
} from '../dead-letters/dead-letter-admin.service';
import { DeadLetterDiscarder } from '../dead-letters/dead-letter-discard.service';
import { BulkReplayResult, DeadLetterReplayer } from '../dead-letters/dead-letter-replay.service';
import { Actor, AdminJsonApi, ApiAction } from './admin-controllers.decorators';
import { BulkDiscardDto, BulkReplayDto, DiscardDeadLetterDto } from './dead-letter-actions.dto';
import { DeadLetterListQueryDto } from './dead-letter-filter.dto';

const DEFAULT_BULK_REPLAY_LIMIT = 100;

/** The JSON API of G8, documented at /admin/api/docs. */
@AdminJsonApi('admin/api/dead-letters')
export class AdminApiController {
  constructor(
    private readonly deadLetters: DeadLetterAdminService,
    private readonly replayer: DeadLetterReplayer,
    private readonly discarder: DeadLetterDiscarder,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List dead letters, newest first, with counts per status' })
  async list(@Query() query: DeadLetterListQueryDto): Promise<DeadLetterPage & { counts: DeadLetterCounts }> {
    const [page, counts] = await Promise.all([this.deadLetters.list(query), this.deadLetters.counts()]);
    return { ...page, counts };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One dead letter with payload, headers and resolution' })
  get(@Param('id') id: string): Promise<DeadLetter> {
    return this.deadLetters.get(id);
  }

  @ApiAction(':id/replay', 'Replay through the outbox under a new message id; 409 unless open')
  replay(@Param('id') id: string, @Actor() who: AdminIdentity): Promise<DeadLetter> {
    return this.replayer.replay(id, who);
  }

  @ApiAction(':id/discard', 'Give the message up, recording why; 409 unless open')
  discard(
    @Param('id') id: string,
    @Body() body: DiscardDeadLetterDto,
    @Actor() who: AdminIdentity,
  ): Promise<DeadLetter> {
    return this.discarder.discard(id, body.reason, who);
  }

  @ApiAction('replay', 'Replay the open dead letters matching a filter (oldest first, up to limit)')
  replayMatching(@Body() body: BulkReplayDto, @Actor() who: AdminIdentity): Promise<BulkReplayResult> {
    return this.replayer.replayMatching(body.filter ?? {}, body.limit ?? DEFAULT_BULK_REPLAY_LIMIT, who);
  }

  @ApiAction('discard', 'Discard every open dead letter matching a filter')
  async discardMatching(
    @Body() body: BulkDiscardDto,
    @Actor() who: AdminIdentity,
  ): Promise<{ discarded: number }> {
    return { discarded: await this.discarder.discardMatching(body.filter ?? {}, body.reason, who) };
  }
}
