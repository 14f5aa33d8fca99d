import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { type Actor, BadRequestError } from '#shouhu/engine';
import { CurrentActor } from '../http/request-context';
import { dashboardCsv, dashboardXlsx } from './dashboard.export';
import { type Dashboard, DashboardQueries } from './dashboard.queries';

@ApiTags('dashboard')
@ApiBearerAuth()
@Controller('dashboard')
export class DashboardController {
  constructor(@Inject(DashboardQueries) private readonly queries: DashboardQueries) {}

  /** Open cases per type and township, overdue work per unit, escalations this month, quarterly returns. */
  @Get()
  get(@CurrentActor() actor: Actor): Promise<Dashboard> {
    return this.queries.dashboard(actor);
  }

  /** The same figures as a file: `format=csv` (UTF-8) or `format=xlsx`. */
  @Get('export')
  async export(@Query('format') format: string | undefined, @CurrentActor() actor: Actor, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
    const fmt = format ?? 'csv';
    if (fmt !== 'csv' && fmt !== 'xlsx') throw new BadRequestError('format must be csv or xlsx', { field: 'format' });
    const d = await this.queries.dashboard(actor);
    const name = `shouhu-dashboard-${d.generatedAt.slice(0, 10)}.${fmt}`;
    reply.header('content-disposition', `attachment; filename="${name}"`);
    if (fmt === 'csv') {
      reply.type('text/csv; charset=utf-8');
      return dashboardCsv(d);
    }
    reply.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    return dashboardXlsx(d);
  }
}
