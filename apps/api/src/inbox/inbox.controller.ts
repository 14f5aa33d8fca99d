import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '#shouhu/engine';
import { InboxService, type NotificationView } from '#shouhu/notify';
import { ListInboxQuery } from '../cases/case.dto';
import { CurrentActor } from '../http/request-context';
import { uuidParam } from '../http/validation';
import { AcknowledgeNotification } from './inbox.commands';

@ApiTags('inbox')
@ApiBearerAuth()
@Controller('inbox')
export class InboxController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(InboxService) private readonly inbox: InboxService,
  ) {}

  /** The caller's unit's notifications, newest first. */
  @Get()
  async list(@Query() q: ListInboxQuery, @CurrentActor() actor: Actor) {
    const limit = q.limit ?? 20;
    const offset = q.offset ?? 0;
    return { ...(await this.inbox.list(actor, { unacked: q.unacked, limit, offset })), limit, offset };
  }

  @Post(':id/ack')
  @HttpCode(200)
  async ack(@Param('id', uuidParam('id')) id: string, @CurrentActor() actor: Actor): Promise<NotificationView> {
    return this.commands.execute(new AcknowledgeNotification(actor, id));
  }
}
