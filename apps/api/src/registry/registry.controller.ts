import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Actor, BadRequestError } from '#shouhu/engine';
import { type ChildInput, type ChildPatch, ChildRegistry } from '#shouhu/registry';
import { CurrentActor, RequestId } from '../http/request-context';
import { ImportChildFiles, OpenQuarterlyReturns, SaveChildFile } from './registry.commands';

const CHILD_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const TOWNSHIP = /^[a-z0-9][a-z0-9-]{0,63}$/;

function childIdParam(childId: string): string {
  if (!CHILD_ID.test(childId)) throw new BadRequestError('childId must be a registry file number', { field: 'childId' });
  return childId;
}

function objectBody(body: unknown, field = 'body'): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequestError(`${field} must be a JSON object`, { field });
  return body as Record<string, unknown>;
}

/** The registry: one file per child (一人一档案). Sensitive fields are masked unless the role needs them. */
@ApiTags('registry')
@ApiBearerAuth()
@Controller()
export class RegistryController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(ChildRegistry) private readonly registry: ChildRegistry,
  ) {}

  @Post('children')
  create(@Body() body: unknown, @CurrentActor() actor: Actor, @RequestId() requestId: string) {
    return this.commands.execute(new SaveChildFile(actor, requestId, objectBody(body) as unknown as ChildInput));
  }

  @Patch('children/:childId')
  update(@Param('childId') childId: string, @Body() body: unknown, @CurrentActor() actor: Actor, @RequestId() requestId: string) {
    const { expectedVersion, ...patch } = objectBody(body);
    if (expectedVersion !== undefined && (!Number.isInteger(expectedVersion) || (expectedVersion as number) < 1)) {
      throw new BadRequestError('expectedVersion must be a whole number from 1', { field: 'expectedVersion' });
    }
    return this.commands.execute(
      new SaveChildFile(actor, requestId, undefined, { childId: childIdParam(childId), patch: patch as ChildPatch, expectedVersion: expectedVersion as number | undefined }),
    );
  }

  /** A township's or school's census file (text/csv; English or Chinese headers); any bad row: nothing imported. */
  @Post('children/import')
  import(@Body() body: unknown, @Headers('content-type') type: string | undefined, @Query('township') township: string | undefined, @CurrentActor() actor: Actor, @RequestId() requestId: string) {
    if (!(type ?? '').startsWith('text/csv') || typeof body !== 'string' || body.trim() === '') {
      throw new BadRequestError('send the file as text/csv', { field: 'body' });
    }
    const own = actor.jurisdictionPath.split('/')[1];
    const target = township ?? own;
    if (!target || !TOWNSHIP.test(target)) throw new BadRequestError('township must be a township code (query ?township=)', { field: 'township' });
    return this.commands.execute(new ImportChildFiles(actor, body, target, requestId));
  }

  @Get('children')
  list(@Query() q: Record<string, string>, @CurrentActor() actor: Actor) {
    // A township's staff see their township's files; county units choose.
    const own = actor.jurisdictionPath.split('/')[1];
    const limit = q.limit ? Number(q.limit) : 50;
    const offset = q.offset ? Number(q.offset) : 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new BadRequestError('limit must be 1 to 500', { field: 'limit' });
    if (!Number.isInteger(offset) || offset < 0) throw new BadRequestError('offset must be 0 or more', { field: 'offset' });
    return this.registry.list({ township: own ?? q.township, village: q.village, living: q.living as never, keyChild: q.keyChild === undefined ? undefined : q.keyChild === 'true', limit, offset }, actor);
  }

  @Get('children/:childId')
  get(@Param('childId') childId: string, @CurrentActor() actor: Actor) {
    return this.registry.get(childIdParam(childId), actor);
  }

  @Get('children/:childId/history')
  history(@Param('childId') childId: string, @CurrentActor() actor: Actor) {
    return this.registry.history(childIdParam(childId), actor);
  }

  @Post('registry/quarterly-returns')
  @HttpCode(201)
  openQuarterlyReturns(@Body() body: unknown, @CurrentActor() actor: Actor, @RequestId() requestId: string) {
    const quarter = objectBody(body).quarter;
    if (typeof quarter !== 'string' || !/^\d{4}-Q[1-4]$/.test(quarter)) throw new BadRequestError('quarter must look like 2026-Q1', { field: 'quarter' });
    return this.commands.execute(new OpenQuarterlyReturns(actor, quarter, requestId));
  }
}
