import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { RuntimeModule } from '#shouhu/runtime';
import { OpenCaseHandler, SendCaseEventHandler } from './cases/case.commands';
import { CasesController } from './cases/cases.controller';
import { AddChannelHandler, ChannelsController, RemoveChannelHandler } from './channels/channels.controller';
import { ConsoleModule } from './console/console.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { DemoSeeder } from './demo-seeder';
import { HealthController } from './health/health.controller';
import { AuthGuard } from './http/auth.guard';
import { DomainErrorFilter } from './http/domain-error.filter';
import { validationPipe } from './http/validation';
import { AcknowledgeNotificationHandler } from './inbox/inbox.commands';
import { InboxController } from './inbox/inbox.controller';
import { FileMandatoryReportHandler } from './reports/report.commands';
import { ReportsController } from './reports/reports.controller';
import { RecordAttendanceHandler } from './schools/attendance.commands';
import { SchoolsController } from './schools/schools.controller';
import { LivingAloneRule } from './registry/living-alone.rule';
import { ImportChildFilesHandler, OpenQuarterlyReturnsHandler, SaveChildFileHandler } from './registry/registry.commands';
import { RegistryController } from './registry/registry.controller';
import { StartRegistryImportHandler } from './registry/registry-import.commands';
import { OpenKeyChildVisitsHandler, OpenYearlySummariesHandler } from './registry/registry-rhythm.commands';
import { RegistryListScope } from './registry/registry-scope';
import { ChildRegistry, RegistryImportJobs, RegistryImportQueue } from '#shouhu/registry';
import { RedisConnections } from '#shouhu/queue';
import { type AppConfig, APP_CONFIG } from '#shouhu/config';
import { AttendanceService, SchoolReports } from '#shouhu/schools';
import { Database } from '#shouhu/persistence';
import type { Clock } from '#shouhu/engine';
import type { ProtectionPolicy } from '#shouhu/protection';
import { CLOCK, PROTECTION_POLICY } from '#shouhu/runtime';

/** The HTTP API: controllers validate and hand commands to the bus; no business rules here. */
@Module({
  imports: [RuntimeModule, ConsoleModule, DashboardModule],
  controllers: [CasesController, ReportsController, SchoolsController, RegistryController, ChannelsController, InboxController, HealthController],
  providers: [
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_FILTER, useClass: DomainErrorFilter },
    { provide: APP_PIPE, useFactory: validationPipe },
    OpenCaseHandler,
    SendCaseEventHandler,
    AcknowledgeNotificationHandler,
    FileMandatoryReportHandler,
    AddChannelHandler,
    RecordAttendanceHandler,
    LivingAloneRule,
    SaveChildFileHandler,
    ImportChildFilesHandler,
    OpenQuarterlyReturnsHandler,
    StartRegistryImportHandler,
    OpenYearlySummariesHandler,
    OpenKeyChildVisitsHandler,
    RegistryListScope,
    { provide: RegistryImportJobs, inject: [Database, CLOCK], useFactory: (db: Database, clock: Clock) => new RegistryImportJobs(db, clock) },
    {
      provide: RegistryImportQueue,
      inject: [RedisConnections, APP_CONFIG],
      useFactory: (r: RedisConnections, c: AppConfig) => new RegistryImportQueue(r.producer(), c.QUEUE_PREFIX),
    },
    { provide: ChildRegistry, inject: [Database, CLOCK], useFactory: (db: Database, clock: Clock) => new ChildRegistry(db, clock) },
    {
      provide: AttendanceService,
      inject: [Database, CLOCK, PROTECTION_POLICY],
      useFactory: (db: Database, clock: Clock, policy: ProtectionPolicy) =>
        new AttendanceService(db, clock, { dropoutAfterSchoolDays: policy.school.dropoutAfterSchoolDays }),
    },
    { provide: SchoolReports, inject: [Database, CLOCK], useFactory: (db: Database, clock: Clock) => new SchoolReports(db, clock) },
    RemoveChannelHandler,
    DemoSeeder,
  ],
})
export class AppModule implements OnApplicationShutdown {
  constructor(@Inject(RegistryImportQueue) private readonly importQueue: RegistryImportQueue) {}

  async onApplicationShutdown(): Promise<void> {
    await this.importQueue.close().catch(() => undefined);
  }
}
