import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { map, Observable } from 'rxjs';
import { ADMIN_PAGE_CSP } from './views/admin-layout.view';

/** Every admin page goes out with the no-script CSP and is never cached (it shows message contents). */
export function asAdminPage(response: Response): Response {
  return response
    .set('Content-Security-Policy', ADMIN_PAGE_CSP)
    .set('Cache-Control', 'no-store')
    .type('html');
}

/**
 * Sends the HTML a page handler returns as an admin page. The headers are set only once the handler
 * has returned: an exception (a 404, a 400) keeps Nest's JSON answer, without the page's headers.
 */
@Injectable()
export class AdminPageInterceptor implements NestInterceptor<string, string> {
  intercept(context: ExecutionContext, next: CallHandler<string>): Observable<string> {
    const response = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      map((html) => {
        asAdminPage(response);
        return html;
      }),
    );
  }
}

/** A page shown with an error status instead of its result: a refused form, with the reason on it. */
export class AdminPageRefusal extends HttpException {
  constructor(
    readonly page: string,
    status: number,
  ) {
    super('The admin page answers with the refusal page', status);
  }
}
