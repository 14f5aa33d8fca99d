/**
 * The one place BullMQ job ids and queue names come from. Ids are derived from database rows, so
 * enqueuing the same row twice is a no-op; BullMQ forbids ':' and all-digit ids, hence the prefixes.
 */
export const QUEUES = {
  timers: 'shouhu-timers',
  effects: 'shouhu-effects',
} as const;

export function timerJobId(timerId: string): string {
  return `timer-${timerId}`;
}

export function effectJobId(outboxId: string): string {
  return `effect-${outboxId}`;
}

export interface TimerJobData {
  timerId: string;
  requestId?: string | null;
}

export interface EffectJobData {
  outboxId: string;
  requestId?: string | null;
}
