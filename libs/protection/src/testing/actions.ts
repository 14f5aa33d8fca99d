import { DateTime } from 'luxon';
import type { EventObject } from 'xstate';

/*
 * What the machine specs read off a pure transition's actions: the timers it arms (`xstate.raise`
 * with a delay), the ones it cancels, and the notices it asks for. Only specs and tests import this.
 */

export type Action = { type: string; params?: unknown };
export type AnyEvent = { type: string; [field: string]: unknown };
export type Raise = { event: EventObject; id: string; delay: number };
export type Notice = { to: unknown; reason: string; deadline?: string; escalation?: unknown; [field: string]: unknown };

const ofType = (actions: readonly unknown[], type: string) => (actions as Action[]).filter((a) => a.type === type);

export const raises = (actions: readonly unknown[]): Raise[] => ofType(actions, 'xstate.raise').map((a) => a.params as Raise);
/** Timer id → delay in ms, of the timers the actions arm. */
export const timers = (actions: readonly unknown[]): Record<string, number> => Object.fromEntries(raises(actions).map((r) => [r.id, r.delay]));
export const cancels = (actions: readonly unknown[]): string[] => ofType(actions, 'xstate.cancel').map((a) => (a.params as { sendId: string }).sendId);
export const notices = (actions: readonly unknown[]): Notice[] => ofType(actions, 'notify').map((a) => a.params as Notice);
/** Milliseconds from one ISO instant to another. */
export const ms = (from: string, to: string): number => DateTime.fromISO(to).toMillis() - DateTime.fromISO(from).toMillis();
