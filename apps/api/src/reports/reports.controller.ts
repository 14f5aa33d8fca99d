import { Body, Controller, Get, Inject, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type Actor, type CaseView, CaseQueries, BadRequestError } from '#shouhu/engine';
import type { ProtectionPolicy } from '#shouhu/protection';
import { PROTECTION_POLICY } from '#shouhu/runtime';
import { CurrentActor, RequestId } from '../http/request-context';
import { FileReportDto } from './report.dto';
import { FileMandatoryReport } from './report.commands';

@ApiTags('protection')
@ApiBearerAuth()
@Controller()
export class ReportsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(CaseQueries) private readonly queries: CaseQueries,
    @Inject(PROTECTION_POLICY) private readonly policy: ProtectionPolicy,
  ) {}

  /** A mandatory report (强制报告): opens the case through the same engine path as any other. */
  @Post('reports')
  async file(@Body() body: FileReportDto, @CurrentActor() actor: Actor, @RequestId() requestId: string): Promise<CaseView> {
    return this.commands.execute(new FileMandatoryReport(actor, body, requestId));
  }

  /** The policy in force: deadlines with their sources, trigger and reason codes, escalation chains. */
  @Get('policy')
  currentPolicy(): ProtectionPolicy {
    return this.policy;
  }

  /** One child's cases, oldest first, each with its history: the child's story across mechanisms. */
  @Get('children/:childId/cases')
  async childCases(@Param('childId') childId: string, @CurrentActor() actor: Actor) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(childId)) {
      throw new BadRequestError('childId must be a registry file number', { field: 'childId' });
    }
    const { items, total } = await this.queries.list({ childId, order: 'opened', limit: 100, offset: 0 }, actor);
    const cases = await Promise.all(items.map(async (c) => ({ ...c, history: (await this.queries.history(c.id, actor)).entries })));
    return { childId, total, cases };
  }
}
