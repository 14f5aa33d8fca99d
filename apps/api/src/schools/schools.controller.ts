import { Body, Controller, Get, Headers, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DirectoryService } from '#shouhu/directory';
import { type Actor, BadRequestError, NotFoundError, UnprocessableError, WorkflowEngine, withinJurisdiction } from '#shouhu/engine';
import { type AttendanceRow, renderWrittenReport, SchoolReports } from '#shouhu/schools';
import { CurrentActor, RequestId } from '../http/request-context';
import { uuidParam } from '../http/validation';
import { RecordAttendance } from './attendance.commands';

interface DropoutContext {
  subject: { childId: string; name?: string; township: string; village?: string; school?: string };
  since: string | null;
  visits: { by: string; at: string; visitedAt: string | null; outcome: string; notes: string; round: number }[];
  reports: { statement: string; at: string }[];
  relapses: number;
}

@ApiTags('schools')
@ApiBearerAuth()
@Controller()
export class SchoolsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(WorkflowEngine) private readonly engine: WorkflowEngine,
    @Inject(DirectoryService) private readonly directory: DirectoryService,
    @Inject(SchoolReports) private readonly reports: SchoolReports,
  ) {}

  /** A day's attendance: JSON `{ rows: [...] }`, or the exported file as `text/csv`. Bad rows: 400, nothing written. */
  @Post('schools/attendance')
  record(@Body() body: unknown, @Headers('content-type') type: string | undefined, @CurrentActor() actor: Actor, @RequestId() requestId: string) {
    if ((type ?? '').startsWith('text/csv')) {
      if (typeof body !== 'string' || body.trim() === '') throw new BadRequestError('the CSV file is empty', { field: 'body' });
      return this.commands.execute(new RecordAttendance(actor, { csv: body }, requestId));
    }
    const rows = (body as { rows?: unknown } | null)?.rows;
    if (!Array.isArray(rows) || rows.length === 0) throw new BadRequestError('rows must be a non-empty array', { field: 'rows' });
    return this.commands.execute(new RecordAttendance(actor, { rows: rows as AttendanceRow[] }, requestId));
  }

  /** The school's written report on a dropout (书面报告), generated from the case: HTML or Markdown. */
  @Get('cases/:id/written-report')
  async writtenReport(
    @Param('id', uuidParam('id')) id: string,
    @Query('format') format: string | undefined,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const fmt = format ?? 'html';
    if (fmt !== 'html' && fmt !== 'markdown') throw new BadRequestError('format must be html or markdown', { field: 'format' });
    const row = await this.engine.visibleCase(id, actor);
    if (row.type !== 'dropout-return') throw new UnprocessableError('only a dropout-return case has a written report', { field: 'id' });
    const ctx = (row.snapshot as { context: DropoutContext }).context;
    const report = ctx.reports.at(-1);
    if (!report) throw new UnprocessableError('the school has not submitted its written report yet', { state: row.state });
    const school = await this.directory.unit(ctx.subject.school ?? row.ownerUnitId);
    const visits = ctx.visits.filter((v) => v.round === ctx.relapses);
    reply.type(fmt === 'html' ? 'text/html; charset=utf-8' : 'text/markdown; charset=utf-8');
    return renderWrittenReport(
      {
        school: { id: school?.id ?? row.ownerUnitId, name: school?.name ?? row.ownerUnitId },
        child: ctx.subject,
        case: { id: row.id, openedAt: row.createdAt.toISOString(), state: row.state, data: row.data },
        visits: visits.map((v) => ({ by: v.by, at: v.visitedAt ?? v.at, outcome: v.outcome, notes: v.notes })),
        statement: report.statement,
        failedVisits: visits.filter((v) => v.outcome === 'failed').length,
        since: ctx.since ?? String(row.data.since ?? ''),
        generatedAt: report.at,
        recipients: [],
      },
      fmt,
    );
  }

  /** A school's monthly dropout report, from the data. */
  @Get('schools/:unitId/dropout-report')
  async monthly(@Param('unitId') unitId: string, @Query('month') month: string | undefined, @CurrentActor() actor: Actor) {
    if (!month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new BadRequestError('month must look like 2026-03', { field: 'month' });
    const school = await this.directory.unit(unitId);
    if (!school || school.kind !== 'school' || !(actor.unitId === unitId || withinJurisdiction(actor.jurisdictionPath, school.jurisdictionPath))) {
      throw new NotFoundError('school', unitId);
    }
    const report = await this.reports.monthly(unitId, month);
    return { ...report, markdown: this.reports.toMarkdown(report) };
  }

  /** The county's quarterly re-check list of dropouts, from the data. */
  @Get('dropout-recheck')
  async quarterly(@Query('quarter') quarter: string | undefined, @CurrentActor() actor: Actor) {
    if (!quarter || !/^\d{4}-Q[1-4]$/.test(quarter)) throw new BadRequestError('quarter must look like 2026-Q1', { field: 'quarter' });
    const county = actor.jurisdictionPath.split('/')[0] ?? '';
    const report = await this.reports.quarterlyRecheck(county, quarter);
    return { ...report, markdown: this.reports.toMarkdown(report) };
  }
}
