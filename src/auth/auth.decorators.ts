import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { AppConfig } from '../config';
import { AuthContext, Role } from './roles';

export const PUBLIC_METADATA = 'zhiku:public';
export const ROLE_METADATA = 'zhiku:role';

/** No API key needed; optionally only when the configuration says so (e.g. METRICS_PUBLIC). */
export const Public = (when: (config: AppConfig) => boolean = () => true) => SetMetadata(PUBLIC_METADATA, when);

/** The least role the endpoint needs (admin > editor > viewer); without it any valid key will do. */
export const Roles = (role: Role) => SetMetadata(ROLE_METADATA, role);

/** The caller's AuthContext: `list(@Auth() auth: AuthContext)`. */
export const Auth = createParamDecorator((_data: unknown, context: ExecutionContext): AuthContext => {
  return context.switchToHttp().getRequest<{ auth: AuthContext }>().auth;
});
