import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Actor } from '#shouhu/engine';
import type { AuthedRequest } from './auth.guard';

/** The authenticated actor (set by AuthGuard). */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<AuthedRequest>().actor;
  if (!actor) throw new Error('CurrentActor used on a public route');
  return actor;
});

/** The request id that travels into history rows, outbox rows and jobs. */
export const RequestId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  return String(ctx.switchToHttp().getRequest<AuthedRequest>().id);
});
