import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { RuntimeModule } from '#shouhu/runtime';
import { OpenCaseHandler, SendCaseEventHandler } from './cases/case.commands';
import { CasesController } from './cases/cases.controller';
import { AddChannelHandler, ChannelsController, RemoveChannelHandler } from './channels/channels.controller';
import { DemoSeeder } from './demo-seeder';
import { HealthController } from './health/health.controller';
import { AuthGuard } from './http/auth.guard';
import { DomainErrorFilter } from './http/domain-error.filter';
import { validationPipe } from './http/validation';
import { AcknowledgeNotificationHandler } from './inbox/inbox.commands';
import { InboxController } from './inbox/inbox.controller';
import { FileMandatoryReportHandler } from './reports/report.commands';
import { ReportsController } from './reports/reports.controller';

/** The HTTP API: controllers validate and hand commands to the bus; no business rules here. */
@Module({
  imports: [RuntimeModule],
  controllers: [CasesController, ReportsController, ChannelsController, InboxController, HealthController],
  providers: [
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_FILTER, useClass: DomainErrorFilter },
    { provide: APP_PIPE, useFactory: validationPipe },
    OpenCaseHandler,
    SendCaseEventHandler,
    AcknowledgeNotificationHandler,
    FileMandatoryReportHandler,
    AddChannelHandler,
    RemoveChannelHandler,
    DemoSeeder,
  ],
})
export class AppModule {}
