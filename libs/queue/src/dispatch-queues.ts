import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { effectJobId, type EffectJobData, QUEUES, timerJobId, type TimerJobData } from '#shouhu/engine';
import type { RedisConnections } from './redis-connections';

/** Completed jobs are removed, so a timer or effect can be enqueued again by the reconciler if needed. */
const TIMER_JOB: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: true,
  attempts: 10,
  backoff: { type: 'exponential', delay: 500 },
};

export const EFFECT_ATTEMPTS = 8;

const EFFECT_JOB: JobsOptions = {
  removeOnComplete: true,
  removeOnFail: { count: 10_000 },
  attempts: EFFECT_ATTEMPTS,
  backoff: { type: 'exponential', delay: 1000 },
};

/** The two BullMQ queues: delayed deadline jobs and effect jobs. Payloads carry ids, never rows. */
export class DispatchQueues {
  readonly timers: Queue<TimerJobData>;
  readonly effects: Queue<EffectJobData>;

  /** Shared by both queues (queues never block), and used directly for the re-arm's EXISTS probes. */
  private readonly redis: Redis;

  constructor(connections: RedisConnections, readonly prefix: string) {
    this.redis = connections.producer();
    this.timers = new Queue<TimerJobData>(QUEUES.timers, { connection: this.redis, prefix });
    this.effects = new Queue<EffectJobData>(QUEUES.effects, { connection: this.redis, prefix });
  }

  /** Re-adding a timer already in Redis is a no-op: the job id is the timer's id. */
  async scheduleTimers(timers: readonly { id: string; dueAt: Date }[], now: Date, requestId: string | null = null): Promise<void> {
    if (timers.length === 0) return;
    await this.timers.addBulk(
      timers.map((t) => ({
        name: 'deadline',
        data: { timerId: t.id, requestId },
        opts: { ...TIMER_JOB, jobId: timerJobId(t.id), delay: Math.max(0, t.dueAt.getTime() - now.getTime()) },
      })),
    );
  }

  /**
   * The reconciler's re-arm: one pipelined EXISTS per timer first, then addBulk of only the jobs
   * Redis does not hold. A round in which everything is still armed then costs one round trip per
   * page instead of a full addJob per timer. Returns how many were added.
   */
  async rearmTimers(timers: readonly { id: string; dueAt: Date }[], now: Date): Promise<number> {
    if (timers.length === 0) return 0;
    const probe = this.redis.pipeline();
    for (const t of timers) probe.exists(this.timers.toKey(timerJobId(t.id)));
    const answers = (await probe.exec()) ?? [];
    const missing = timers.filter((_, i) => {
      const [err, found] = answers[i] ?? [null, 0];
      return err !== null || found !== 1; // when in doubt, add: a duplicate add is a no-op
    });
    await this.scheduleTimers(missing, now);
    return missing.length;
  }

  async enqueueEffects(effects: readonly { id: string; action: string; requestId: string | null }[]): Promise<void> {
    if (effects.length === 0) return;
    await this.effects.addBulk(
      effects.map((e) => ({
        name: e.action,
        data: { outboxId: e.id, requestId: e.requestId },
        opts: { ...EFFECT_JOB, jobId: effectJobId(e.id) },
      })),
    );
  }

  /**
   * The reconciler's way in: as `enqueueEffects`, and a job that BullMQ gave up on while its row is
   * still pending — stalled twice by killed workers, or a last attempt that could not record its
   * failure because PostgreSQL was away — is retried with fresh attempts. A kept failed job would
   * otherwise turn every re-enqueue of its id into a no-op, and the effect would never run.
   */
  async requeueEffects(effects: readonly { id: string; action: string; requestId: string | null }[]): Promise<number> {
    await this.enqueueEffects(effects);
    let retried = 0;
    for (const e of effects) {
      const job = await this.effects.getJob(effectJobId(e.id));
      if (job && (await job.isFailed())) {
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        retried++;
      }
    }
    return retried;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.timers.close(), this.effects.close()]);
  }
}
