import type { Logger } from '@nestjs/common';

/**
 * A round of work run at start and then every `intervalMs`, one round at a time; a failed round is
 * logged and the next one retries. `stop()` waits for a running round (graceful shutdown).
 */
export class PeriodicRound {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly round: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    if (this.running) return; // one round at a time
    this.running = this.round()
      .catch((err: unknown) => this.logger.warn({ err: String(err) }, `${this.what} round failed; next round retries`))
      .finally(() => {
        this.running = undefined;
      });
    await this.running;
  }
}
