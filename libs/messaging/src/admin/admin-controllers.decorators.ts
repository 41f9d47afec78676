import { applyDecorators, Controller, UseFilters, UseGuards, UsePipes, ValidationPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AdminApiGuard } from './admin-api.guard';
import { AdminLoginFilter } from './admin-login.filter';

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

/** The HTML pages: out of the OpenAPI document, and an expired session redirects to the login page. */
export function AdminHtmlPages(): ClassDecorator {
  return applyDecorators(ApiExcludeController(), Controller('admin'), UseFilters(AdminLoginFilter));
}
