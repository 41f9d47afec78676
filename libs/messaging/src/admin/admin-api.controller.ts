import { Body, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { Request } from 'express';
import type { DeadLetter } from '../dead-letters/dead-letter.entity';
import { whoIs } from './admin-roles';
import { BulkDiscardDto, BulkReplayDto, DiscardDeadLetterDto } from './dead-letter-actions.dto';
import {
  DeadLetterAdminService,
  DeadLetterCounts,
  DeadLetterPage,
} from '../dead-letters/dead-letter-admin.service';
import { DeadLetterDiscarder } from '../dead-letters/dead-letter-discard.service';
import { DeadLetterListQueryDto } from './dead-letter-filter.dto';
import { BulkReplayResult, DeadLetterReplayer } from '../dead-letters/dead-letter-replay.service';
import { AdminJsonApi } from './admin-controllers.decorators';

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

  @Post(':id/replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replay through the outbox under a new message id; 409 unless open' })
  replay(@Param('id') id: string, @Req() request: Request): Promise<DeadLetter> {
    return this.replayer.replay(id, whoIs(request));
  }

  @Post(':id/discard')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give the message up, recording why; 409 unless open' })
  discard(
    @Param('id') id: string,
    @Body() body: DiscardDeadLetterDto,
    @Req() request: Request,
  ): Promise<DeadLetter> {
    return this.discarder.discard(id, body.reason, whoIs(request));
  }

  @Post('replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replay the open dead letters matching a filter (oldest first, up to limit)' })
  replayMatching(@Body() body: BulkReplayDto, @Req() request: Request): Promise<BulkReplayResult> {
    return this.replayer.replayMatching(
      body.filter ?? {},
      body.limit ?? DEFAULT_BULK_REPLAY_LIMIT,
      whoIs(request),
    );
  }

  @Post('discard')
  @HttpCode(200)
  @ApiOperation({ summary: 'Discard every open dead letter matching a filter' })
  async discardMatching(
    @Body() body: BulkDiscardDto,
    @Req() request: Request,
  ): Promise<{ discarded: number }> {
    const discarded = await this.discarder.discardMatching(body.filter ?? {}, body.reason, whoIs(request));
    return { discarded };
  }
}
