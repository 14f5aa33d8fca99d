import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { type Actor, CaseQueries, NotFoundError } from '#shouhu/engine';
import { type ChannelView, DeliveryService } from '#shouhu/notify';
import { CurrentActor } from '../http/request-context';
import { uuidParam } from '../http/validation';

export class AddChannelDto {
  @ApiProperty({ enum: ['webhook', 'email'] })
  @IsIn(['webhook', 'email'], { message: 'kind must be webhook or email' })
  kind!: 'webhook' | 'email';

  @ApiProperty({ example: 'https://alerts.example.gov.cn/shouhu' })
  @IsString()
  @MaxLength(500)
  target!: string;

  @ApiPropertyOptional({ description: 'webhook only: the HMAC-SHA256 key (16+ characters) that signs every POST' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  secret?: string;
}

export class AddChannel {
  constructor(
    readonly actor: Actor,
    readonly dto: AddChannelDto,
  ) {}
}

export class RemoveChannel {
  constructor(
    readonly actor: Actor,
    readonly channelId: string,
  ) {}
}

/** A unit routes its own alerts: channels are always added to the caller's own unit. */
@CommandHandler(AddChannel)
export class AddChannelHandler implements ICommandHandler<AddChannel, ChannelView> {
  constructor(@Inject(DeliveryService) private readonly deliveries: DeliveryService) {}

  execute({ actor, dto }: AddChannel): Promise<ChannelView> {
    return this.deliveries.addChannel(actor.unitId, dto.kind, dto.target, dto.secret);
  }
}

@CommandHandler(RemoveChannel)
export class RemoveChannelHandler implements ICommandHandler<RemoveChannel, { removed: true }> {
  constructor(@Inject(DeliveryService) private readonly deliveries: DeliveryService) {}

  async execute({ actor, channelId }: RemoveChannel): Promise<{ removed: true }> {
    const own = await this.deliveries.listChannels(actor.unitId);
    if (!own.some((c) => c.id === channelId)) throw new NotFoundError('channel', channelId);
    await this.deliveries.deactivateChannel(channelId);
    return { removed: true };
  }
}

@ApiTags('channels')
@ApiBearerAuth()
@Controller()
export class ChannelsController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(DeliveryService) private readonly deliveries: DeliveryService,
    @Inject(CaseQueries) private readonly queries: CaseQueries,
  ) {}

  @Get('channels')
  list(@CurrentActor() actor: Actor): Promise<ChannelView[]> {
    return this.deliveries.listChannels(actor.unitId);
  }

  @Post('channels')
  add(@Body() body: AddChannelDto, @CurrentActor() actor: Actor): Promise<ChannelView> {
    return this.commands.execute(new AddChannel(actor, body));
  }

  @Delete('channels/:id')
  @HttpCode(200)
  remove(@Param('id', uuidParam('id')) id: string, @CurrentActor() actor: Actor) {
    return this.commands.execute(new RemoveChannel(actor, id));
  }

  /** Every delivery of the case's notifications (webhook, e-mail): status, attempts, times. */
  @Get('cases/:id/deliveries')
  async caseDeliveries(@Param('id', uuidParam('id')) id: string, @CurrentActor() actor: Actor) {
    const c = await this.queries.view(id, actor);
    return { caseId: c.id, items: await this.deliveries.listForCase(c.id) };
  }
}
