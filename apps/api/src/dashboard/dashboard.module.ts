import { Module } from '@nestjs/common';
import { RuntimeModule } from '#shouhu/runtime';
import { DashboardController } from './dashboard.controller';
import { DashboardQueries } from './dashboard.queries';

/** The joint-meeting office's county dashboard and its CSV / XLSX export. */
@Module({
  imports: [RuntimeModule],
  controllers: [DashboardController],
  providers: [DashboardQueries],
})
export class DashboardModule {}
