/**
 * The one place BullMQ job ids and queue names come from. Ids are derived from database rows, so
 * enqueuing the same row twice is a no-op; BullMQ forbids ':' and all-digit ids, hence the prefixes.
 */
export const QUEUES = {
  timers: 'shouhu-timers',
  effects: 'shouhu-effects',
  deliveries: 'shouhu-deliveries',
  registryImports: 'shouhu-registry-imports',
} as const;

export function timerJobId(timerId: string): string {
  return `timer-${timerId}`;
}

export function effectJobId(outboxId: string): string {
  return `effect-${outboxId}`;
}

export function deliveryJobId(deliveryId: string): string {
  return `delivery-${deliveryId}`;
}

/** One registry import (a census file uploaded for the worker); the row holds the file and the status. */
export function registryImportJobId(importId: string): string {
  return `registry-import-${importId}`;
}

export interface TimerJobData {
  timerId: string;
  requestId?: string | null;
}

export interface EffectJobData {
  outboxId: string;
  requestId?: string | null;
}

/** A delivery of a notification to one unit channel; the row holds everything else. */
export interface DeliveryJobData {
  deliveryId: string;
}

/** A registry import to run; the `registry_import` row holds the file and everything else. */
export interface RegistryImportJobData {
  importId: string;
}
