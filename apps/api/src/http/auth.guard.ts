import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DirectoryService } from '#shouhu/directory';
import type { Actor } from '#shouhu/engine';

const PUBLIC = 'shouhu:public';
/** Marks a route that needs no token (health checks). */
export const Public = () => SetMetadata(PUBLIC, true);

export type AuthedRequest = FastifyRequest & { actor?: Actor };

/** `Authorization: Bearer <token>` → the person, unit and role acting; 401 otherwise. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(DirectoryService) private readonly directory: DirectoryService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedException('send Authorization: Bearer <token>');
    const actor = await this.directory.authenticate(match[1]!);
    if (!actor) throw new UnauthorizedException('the bearer token is unknown or revoked');
    req.actor = actor;
    return true;
  }
}
