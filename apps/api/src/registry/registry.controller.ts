import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Actor, BadRequestError } from '#shouhu/engine';
import { type ChildInput, type ChildPatch, ChildRegistry, RegistryImportJobs } from '#shouhu/registry';
import { CurrentActor, RequestId } from '../http/request-context';
import { StartRegistryImport } from './registry-import.commands';
import { OpenKeyChildVisits, OpenYearlySummaries } from './registry-rhythm.commands';
import { RegistryListScope, importTownship } from './registry-scope';
import { ImportChildFiles, OpenQuarterlyReturns, SaveChildFile } from './registry.commands';

/** The content type of an .xlsx workbook. */
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const CHILD_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

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
    @Inject(RegistryImportJobs) private readonly imports: RegistryImportJobs,
    @Inject(RegistryListScope) private readonly scope: RegistryListScope,
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
    return this.commands.execute(new ImportChildFiles(actor, body, importTownship(actor, township), requestId));
  }

  /**
   * A census file as an import job: `text/csv` or an .xlsx workbook (by content type) → 202 with the
   * job; the worker reads, checks and imports it (all or nothing); poll `GET /registry/imports/:id`.
   */
  @Post('registry/imports')
  @HttpCode(202)
  startImport(@Body() body: unknown, @Headers('content-type') type: string | undefined, @Query('township') township: string | undefined, @CurrentActor() actor: Actor, @RequestId() requestId: string) {
    const mime = (type ?? '').split(';')[0]!.trim().toLowerCase();
    let format: 'csv' | 'xlsx', content: Buffer;
    if (mime === 'text/csv' && typeof body === 'string') [format, content] = ['csv', Buffer.from(body, 'utf8')];
    else if (mime === XLSX_TYPE && Buffer.isBuffer(body)) [format, content] = ['xlsx', body];
    else throw new BadRequestError(`send the file as text/csv or as ${XLSX_TYPE}`, { field: 'content-type' });
    if (content.length === 0 || (format === 'csv' && content.toString('utf8').trim() === '')) throw new BadRequestError('the file is empty', { field: 'body' });
    return this.commands.execute(new StartRegistryImport(actor, format, content, township, requestId));
  }

  @Get('registry/imports/:id')
  importStatus(@Param('id') id: string, @CurrentActor() actor: Actor) {
    return this.imports.view(id, actor);
  }

  @Get('children')
  async list(@Query() q: Record<string, string>, @CurrentActor() actor: Actor) {
    // A village sees its village's files, a school its pupils, a township its township's; county units choose.
    const area = await this.scope.filterFor(actor, { township: q.township, village: q.village });
    const limit = q.limit ? Number(q.limit) : 50;
    const offset = q.offset ? Number(q.offset) : 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new BadRequestError('limit must be 1 to 500', { field: 'limit' });
    if (!Number.isInteger(offset) || offset < 0) throw new BadRequestError('offset must be 0 or more', { field: 'offset' });
    return this.registry.list({ ...area, living: q.living as never, keyChild: q.keyChild === undefined ? undefined : q.keyChild === 'true', limit, offset }, actor);
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

  /** 五(三): one yearly summary per township and member department (201 when any opened; 200 when all were open already). */
  @Post('registry/yearly-summaries')
  async openYearlySummaries(@Body() body: unknown, @CurrentActor() actor: Actor, @RequestId() requestId: string, @Res({ passthrough: true }) reply: { status(code: number): unknown }) {
    const year = objectBody(body).year;
    if (!Number.isInteger(year) || (year as number) < 2000 || (year as number) > 2099) throw new BadRequestError('year must be a year such as 2026', { field: 'year' });
    const result = await this.commands.execute(new OpenYearlySummaries(actor, year as number, requestId));
    reply.status(result.opened.length > 0 ? 201 : 200);
    return result;
  }

  /** 四(二)2: the visit rhythm for a key child (409 while one is open). */
  @Post('children/:childId/key-child-visits')
  @HttpCode(201)
  openKeyChildVisits(@Param('childId') childId: string, @CurrentActor() actor: Actor, @RequestId() requestId: string) {
    return this.commands.execute(new OpenKeyChildVisits(actor, childIdParam(childId), requestId));
  }
}
