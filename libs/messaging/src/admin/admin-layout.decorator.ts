import { createParamDecorator, ExecutionContext, Injectable, PipeTransform } from '@nestjs/common';
import type { Request } from 'express';
import { InjectOptions } from '../messaging.constants';
import type { ServiceIdentity } from '../messaging.options';
import { csrfTokenOf, whoIs } from './admin-roles';
import type { LayoutContext } from './views/admin-layout.view';

type Viewer = Omit<LayoutContext, 'serviceName'>;

/** Completes the layout with the service's name: a param decorator alone cannot inject the options. */
@Injectable()
export class AdminLayoutPipe implements PipeTransform<Viewer, LayoutContext> {
  constructor(@InjectOptions('service') private readonly service: ServiceIdentity) {}

  transform(viewer: Viewer): LayoutContext {
    return { serviceName: this.service.serviceName, ...viewer };
  }
}

const ViewerOfRequest = createParamDecorator((_data: unknown, context: ExecutionContext): Viewer => {
  const request = context.switchToHttp().getRequest<Request>();
  const who = whoIs(request);
  return { user: who.user, role: who.role, csrf: csrfTokenOf(request) };
});

/** The layout of a guarded page: who is logged in, in which role, and the CSRF token for its forms. */
export const Layout = (): ParameterDecorator => ViewerOfRequest(undefined, AdminLayoutPipe);
