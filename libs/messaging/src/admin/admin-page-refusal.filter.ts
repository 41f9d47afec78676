import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { AdminPageRefusal, asAdminPage } from './admin-html';

/** Sends an AdminPageRefusal: its page, with its status (Nest would send the exception as JSON). */
@Catch(AdminPageRefusal)
export class AdminPageRefusalFilter implements ExceptionFilter {
  catch(refusal: AdminPageRefusal, host: ArgumentsHost): void {
    asAdminPage(host.switchToHttp().getResponse<Response>().status(refusal.getStatus())).send(refusal.page);
  }
}
