import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '../config';
import { ApiKeysService } from './api-keys.service';
import { PUBLIC_METADATA, ROLE_METADATA } from './auth.decorators';
import { AuthContext, Role, roleAtLeast } from './roles';

interface GuardedRequest {
  headers: Record<string, string | string[] | undefined>;
  auth?: AuthContext;
}

/** Global: every endpoint needs `Authorization: Bearer KEY` unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<((config: AppConfig) => boolean) | undefined>(PUBLIC_METADATA, targets);
    if (isPublic?.(this.config)) return true;

    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const header = request.headers.authorization;
    if (typeof header !== 'string' || header.trim() === '') {
      throw new UnauthorizedException("missing API key: send the header 'Authorization: Bearer <key>'");
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new UnauthorizedException("malformed Authorization header: expected 'Bearer <key>'");
    const auth = await this.keys.authenticate(match[1]);
    // Known before the role check, so a refused request is still attributed (audit trail).
    request.auth = auth;

    const need = this.reflector.getAllAndOverride<Role | undefined>(ROLE_METADATA, targets) ?? 'viewer';
    if (!roleAtLeast(auth.role, need)) {
      throw new ForbiddenException(`this needs the ${need} role; API key "${auth.keyName}" has the ${auth.role} role`);
    }
    return true;
  }
}
