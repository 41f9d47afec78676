import { Module, OnModuleInit } from '@nestjs/common';
import { DeadLettersModule } from '../dead-letters/dead-letters.module';
import { InjectOptions } from '../messaging.constants';
import { AdminApiController } from './admin-api.controller';
import { AdminApiGuard } from './admin-api.guard';
import { AdminAuthThrottle } from './admin-auth-throttle';
import { AdminConsoleApiController } from './admin-console-api.controller';
import { AdminLoginController } from './admin-login.controller';
import { AdminLoginFilter } from './admin-login.filter';
import { AdminPageController } from './admin-page.controller';
import { AdminPageGuard } from './admin-page.guard';
import type { AdminOptions } from './admin.options';
import { AuditPageController } from './audit-page.controller';
import { DeadLetterFormsController } from './dead-letter-forms.controller';
import { FailureGroupPagesController } from './failure-group-pages.controller';
import { ScheduledPagesController } from './scheduled-pages.controller';
import { refuseDefaultAdminToken } from './default-admin-token.error';

/**
 * The dead-letter console (/admin) and JSON API (/admin/api): controllers, guards, DTOs and views in
 * front of the services of dead-letters/. Imported only when the app keeps `features.admin` on, so a
 * disabled console has no routes at all (404).
 */
@Module({
  imports: [DeadLettersModule],
  // The console API first: its `dead-letters/groups` routes must win over `dead-letters/:id`.
  controllers: [
    AdminConsoleApiController,
    AdminApiController,
    AdminLoginController,
    AdminPageController,
    DeadLetterFormsController,
    FailureGroupPagesController,
    ScheduledPagesController,
    AuditPageController,
  ],
  providers: [AdminAuthThrottle, AdminApiGuard, AdminPageGuard, AdminLoginFilter],
})
export class AdminModule implements OnModuleInit {
  constructor(@InjectOptions('admin') private readonly admin: AdminOptions) {}

  onModuleInit(): void {
    // Also checked by the env schema; this covers apps that build the options without it.
    refuseDefaultAdminToken(this.admin, process.env.NODE_ENV);
  }
}
