import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { InjectOptions } from '../messaging.constants';
import type { AdminOptions } from './admin.options';

const THROTTLER_NAME = 'admin-auth';

/** 429 with the seconds to wait; the guards set `Retry-After` from it. */
export class AdminAuthThrottledError extends HttpException {
  override readonly name = 'AdminAuthThrottledError';
  readonly reason = 'too-many-failed-logins';

  constructor(readonly retryAfterSeconds: number) {
    super(
      {
        statusCode: 429,
        reason: 'too-many-failed-logins',
        message: `Too many attempts with a wrong admin token; retry in ${retryAfterSeconds} s`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/**
 * Rate limit on wrong admin tokens, per client address, on @nestjs/throttler's storage. Only failures
 * count, so an operator's normal use is never throttled; once over the limit the client is blocked for
 * `authBlockMs`, a correct token included (a guess that finally matched is still refused).
 */
@Injectable()
export class AdminAuthThrottle {
  private readonly storage = new ThrottlerStorageService();

  constructor(@InjectOptions('admin') private readonly admin: AdminOptions) {}

  /** Throws AdminAuthThrottledError (and sets Retry-After) while the client is blocked. */
  assertAllowed(request: Request, response: Response): void {
    const record = this.storage.storage.get(this.keyOf(request));
    const waitMs = record?.isBlocked ? record.blockExpiresAt - Date.now() : 0;
    if (waitMs > 0) this.refuse(response, Math.ceil(waitMs / 1000));
  }

  /** Counts a wrong token; throws AdminAuthThrottledError when this one went over the limit. */
  async failed(request: Request, response: Response): Promise<void> {
    const { authFailureLimit, authFailureWindowMs, authBlockMs } = this.admin;
    const record = await this.storage.increment(
      this.keyOf(request),
      authFailureWindowMs,
      authFailureLimit,
      authBlockMs,
      THROTTLER_NAME,
    );
    if (record.isBlocked) this.refuse(response, Math.max(1, record.timeToBlockExpire));
  }

  onModuleDestroy(): void {
    this.storage.onApplicationShutdown();
  }

  private refuse(response: Response, seconds: number): never {
    response.setHeader('Retry-After', String(seconds));
    throw new AdminAuthThrottledError(seconds);
  }

  private keyOf(request: Request): string {
    return `${THROTTLER_NAME}:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`;
  }
}
