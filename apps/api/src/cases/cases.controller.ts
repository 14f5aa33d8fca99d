import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, type CaseView, CaseQueries } from '#shouhu/engine';
import { CurrentActor, RequestId } from '../http/request-context';
import { uuidParam } from '../http/validation';
import { OpenCase, SendCaseEvent } from './case.commands';
import { ListCasesQuery, OpenCaseDto, SendEventDto } from './case.dto';

const uuid = uuidParam('id');

@ApiTags('cases')
@ApiBearerAuth()
@Controller('cases')
export class CasesController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(CaseQueries) private readonly queries: CaseQueries,
  ) {}

  @Post()
  @ApiResponse({ status: 201, description: 'the case: id, state, version, pending deadlines, events you may send' })
  async open(@Body() body: OpenCaseDto, @CurrentActor() actor: Actor, @RequestId() requestId: string): Promise<CaseView> {
    return this.commands.execute(
      new OpenCase(actor, body.type, body.subject, body.data ?? {}, body.ownerUnitId, body.jurisdictionPath, requestId),
    );
  }

  @Get()
  async list(@Query() q: ListCasesQuery, @CurrentActor() actor: Actor) {
    const limit = q.limit ?? 20;
    const offset = q.offset ?? 0;
    const page = await this.queries.list({ type: q.type, state: q.state, overdue: q.overdue, limit, offset }, actor);
    return { ...page, limit, offset };
  }

  @Get(':id')
  async get(@Param('id', uuid) id: string, @CurrentActor() actor: Actor): Promise<CaseView> {
    return this.queries.view(id, actor);
  }

  @Get(':id/history')
  async history(@Param('id', uuid) id: string, @CurrentActor() actor: Actor) {
    return this.queries.history(id, actor);
  }

  @Post(':id/events')
  @HttpCode(200)
  @ApiResponse({ status: 200, description: 'the new state' })
  @ApiResponse({ status: 403, description: 'your role may not send this event' })
  @ApiResponse({ status: 409, description: 'expectedVersion is stale, or another writer won' })
  @ApiResponse({ status: 422, description: 'the current state does not take this event' })
  async send(
    @Param('id', uuid) id: string,
    @Body() body: SendEventDto,
    @CurrentActor() actor: Actor,
    @RequestId() requestId: string,
  ): Promise<CaseView> {
    return this.commands.execute(new SendCaseEvent(actor, id, body.type, body.payload ?? {}, body.expectedVersion, requestId));
  }
}
