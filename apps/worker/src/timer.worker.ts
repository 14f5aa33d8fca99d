import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { DelayedError, type Job, type Worker } from 'bullmq';
import { QUEUES, type TimerJobData, WorkflowEngine } from '#shouhu/engine';
import { CaseTransitioned } from '#shouhu/runtime';
import { QueueWorkers } from './queue-workers';

/** Fires deadlines: the engine decides whether the timer still counts; this only delivers the job. */
@Injectable()
export class TimerWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('TimerWorker');
  private worker?: Worker<TimerJobData>;

  constructor(
    private readonly workers: QueueWorkers,
    @Inject(WorkflowEngine) private readonly engine: WorkflowEngine,
    private readonly events: EventBus,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = this.workers.start<TimerJobData>(QUEUES.timers, (job, token) => this.process(job, token), this.logger);
  }

  async process(job: Job<TimerJobData>, token?: string): Promise<string> {
    const { timerId, requestId = null } = job.data;
    const outcome = await this.engine.fireTimer(timerId, requestId);
    if (outcome.kind === 'early') {
      // A job that runs before its row's due time (clock skew, re-armed early) waits again.
      await job.moveToDelayed(outcome.dueAt.getTime(), token);
      throw new DelayedError();
    }
    if (outcome.kind === 'fired') {
      this.logger.log({ timerId, caseId: outcome.result.case.id, state: outcome.result.case.state, requestId }, 'deadline fired');
      this.events.publish(new CaseTransitioned(outcome.result));
    }
    return outcome.kind;
  }

  /** SIGTERM: stop taking jobs and wait for the running ones, so none is lost or cut short. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
