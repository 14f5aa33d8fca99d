import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { type AppConfig, APP_CONFIG } from '#shouhu/config';
import { Reconciler } from '#shouhu/queue';
import { PeriodicRound } from './periodic-round';

/** On start and then periodically: re-arm from PostgreSQL whatever Redis may have lost. */
@Injectable()
export class ReconcileLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Reconcile');
  private readonly rounds: PeriodicRound;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(Reconciler) reconciler: Reconciler,
  ) {
    this.rounds = new PeriodicRound(
      async () => {
        const n = await reconciler.run();
        if (n.timers + n.effects > 0) this.logger.debug(n, 'reconciled');
      },
      config.RECONCILE_INTERVAL_MS,
      this.logger,
      'reconcile',
    );
  }

  onApplicationBootstrap(): Promise<void> {
    return this.rounds.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.rounds.stop();
  }
}
