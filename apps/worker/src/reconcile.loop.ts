import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { type AppConfig, APP_CONFIG } from '#shouhu/config';
import { Reconciler } from '#shouhu/queue';

/** On start and then periodically: re-arm from PostgreSQL whatever Redis may have lost. */
@Injectable()
export class ReconcileLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Reconcile');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Reconciler) private readonly reconciler: Reconciler,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.config.RECONCILE_INTERVAL_MS);
  }

  private async tick(): Promise<void> {
    if (this.running) return; // one round at a time
    this.running = this.reconciler
      .run()
      .then((n) => {
        if (n.timers + n.effects > 0) this.logger.debug(n, 'reconciled');
      })
      .catch((err: unknown) => this.logger.warn({ err: String(err) }, 'reconcile round failed; next round retries'))
      .finally(() => {
        this.running = undefined;
      });
    await this.running;
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
