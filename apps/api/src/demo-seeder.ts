import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type AppConfig, APP_CONFIG } from '#shouhu/config';
import { DirectoryService, seedCountyDirectory, seedDemoDirectory } from '#shouhu/directory';

/** First start: the county's directory (seed data); on the embedded default also demo tokens, printed once. */
@Injectable()
export class DemoSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoSeed');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DirectoryService) private readonly directory: DirectoryService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const wanted = this.config.DEMO_SEED === 'on' || (this.config.DEMO_SEED === 'auto' && this.config.embeddedDatabase);
    if (!wanted) {
      const units = await seedCountyDirectory(this.directory);
      if (units > 0) this.logger.log(`seeded the county directory: ${units} units`);
      return;
    }
    const tokens = await seedDemoDirectory(this.directory);
    if (!tokens) return;
    const lines = tokens.map((t) => `  ${t.role.padEnd(14)} ${t.userId.padEnd(18)} ${t.unitId.padEnd(24)} ${t.token}`);
    // Printed to stdout on purpose: these are shown once and stored only as hashes.
    process.stdout.write(
      `\nShouhu demo directory created. Bearer tokens (shown once):\n  ${'role'.padEnd(14)} ${'user'.padEnd(18)} ${'unit'.padEnd(24)} token\n${lines.join('\n')}\n\n`,
    );
    this.logger.log(`seeded ${tokens.length} demo tokens`);
  }
}
