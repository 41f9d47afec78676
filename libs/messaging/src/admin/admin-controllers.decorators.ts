import {
  applyDecorators,
  Controller,
  createParamDecorator,
  ExecutionContext,
  Get,
  HttpCode,
  Post,
  Redirect,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExcludeController,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { AdminIdentity } from '../dead-letters/admin-identity';
import { AdminApiGuard } from './admin-api.guard';
import { AdminPageInterceptor } from './admin-html';
import { AdminLoginFilter } from './admin-login.filter';
import { AdminPageRefusalFilter } from './admin-page-refusal.filter';
import { whoIs } from './admin-roles';

/**
 * The JSON API's controllers share one contract: Bearer token (AdminApiGuard), strict bodies (unknown
 * fields are a 400, not silently dropped) and one OpenAPI tag, so a new controller cannot forget one.
 */
export function AdminJsonApi(path: string): ClassDecorator {
  return applyDecorators(
    ApiTags('dead letters'),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing or wrong Bearer token' }),
    Controller(path),
    UseGuards(AdminApiGuard),
    UsePipes(new ValidationPipe({ transform: true, whitelist: true, forbidNonWhitelisted: true })),
  );
}

/**
 * The HTML pages: out of the OpenAPI document, an expired session gets the login page and a refused
 * form its page again (AdminPageRefusal).
 */
export function AdminHtmlPages(): ClassDecorator {
  return applyDecorators(
    ApiExcludeController(),
    Controller('admin'),
    UseFilters(AdminLoginFilter, AdminPageRefusalFilter),
  );
}

/** A GET whose handler returns the page's HTML; AdminPageInterceptor sends it with the page headers. */
export function HtmlPage(path?: string): MethodDecorator {
  return applyDecorators(Get(path), UseInterceptors(AdminPageInterceptor));
}

/**
 * A page form's POST: post/redirect/get, so reloading the page after it does not post again. The
 * handler returns `{ url }` of the page to show next. To show the form's page again with the reason
 * instead, it throws AdminPageRefusal; any other exception keeps Nest's JSON answer.
 */
export function FormPost(path: string): MethodDecorator {
  return applyDecorators(Post(path), Redirect('', 303));
}

/** The actor (audit log) behind a guarded route (set by AdminApiGuard / AdminPageGuard), for the audit log. */
export const Actor = createParamDecorator((_data: unknown, context: ExecutionContext): AdminIdentity =>
  whoIs(context.switchToHttp().getRequest()),
);

/**
 * A JSON API action: a POST that answers with what it changed, 200 (202 when it runs in the background),
 * never Nest's default 201 (nothing is created at the URL).
 */
export function ApiAction(path: string, summary: string, status: 200 | 202 = 200): MethodDecorator {
  return applyDecorators(Post(path), HttpCode(status), ApiOperation({ summary }));
}
