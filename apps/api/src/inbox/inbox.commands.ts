import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Actor } from '#shouhu/engine';
import { InboxService, type NotificationView } from '#shouhu/notify';

export class AcknowledgeNotification {
  constructor(
    readonly actor: Actor,
    readonly notificationId: string,
  ) {}
}

@CommandHandler(AcknowledgeNotification)
export class AcknowledgeNotificationHandler implements ICommandHandler<AcknowledgeNotification, NotificationView> {
  constructor(@Inject(InboxService) private readonly inbox: InboxService) {}

  execute(cmd: AcknowledgeNotification): Promise<NotificationView> {
    return this.inbox.ack(cmd.notificationId, cmd.actor);
  }
}
