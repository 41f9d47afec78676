import { Module, OnModuleInit } from '@nestjs/common';
import { InjectMessagingOptions } from '../messaging.constants';
import type { ResolvedMessagingOptions } from '../messaging.options';
import { AdminApiController } from './admin-api.controller';
import { AdminApiGuard } from './admin-api.guard';
import { AdminLoginFilter } from './admin-login.filter';
import { AdminPageController } from './admin-page.controller';
import { AdminPageGuard } from './admin-page.guard';
import { DeadLetterAdminService } from './dead-letter-admin.service';
import { DeadLetterReplayer } from './dead-letter-replayer';
import { refuseDefaultAdminToken } from './default-admin-token.error';
import { OutboxModule } from '../outbox/outbox.module';

/**
 * The dead-letter admin page (/admin) and JSON API (/admin/api) of G8, in every app that imports
 * MessagingModule. `admin.enabled: false` answers 404 on every admin route.
 */
@Module({
  imports: [OutboxModule],
  controllers: [AdminApiController, AdminPageController],
  providers: [DeadLetterAdminService, DeadLetterReplayer, AdminApiGuard, AdminPageGuard, AdminLoginFilter],
  exports: [DeadLetterAdminService, DeadLetterReplayer],
})
export class AdminModule implements OnModuleInit {
  constructor(@InjectMessagingOptions() private readonly options: ResolvedMessagingOptions) {}

  onModuleInit(): void {
    // Also checked by the env schema; this covers apps that build the options without it.
    refuseDefaultAdminToken(this.options.admin, process.env.NODE_ENV);
  }
}
