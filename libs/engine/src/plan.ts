import {
  type AnyMachineSnapshot,
  type EventObject,
  getNextTransitions,
  initialTransition,
  type StateValue,
  transition,
} from 'xstate';
import type { CaseDefinition } from './definition';
import { MachineDefinitionError, UnprocessableError } from './errors';

/** A deadline the machine asked for (`after`, or `raise` with a delay). */
export interface PlannedTimer {
  sendId: string;
  /** The delay's name (`acceptDeadline`) when the event came from `after`, else the send id. */
  name: string;
  event: EventObject;
  delayMs: number;
}

/** A named action: an effect for the worker (`notify`, `openCase`, ...). */
export interface PlannedEffect {
  action: string;
  params: Record<string, unknown>;
}

/** What one pure transition asks the engine to persist. */
export interface TransitionPlan {
  snapshot: AnyMachineSnapshot;
  persisted: Record<string, unknown>;
  stateValue: StateValue;
  stateLabel: string;
  status: 'active' | 'done';
  /** Send ids whose pending timers must be cancelled (exits, explicit cancels, and replaced ids). */
  cancelSendIds: string[];
  timers: PlannedTimer[];
  effects: PlannedEffect[];
}

const AFTER_PREFIX = 'xstate.after.';

/** Events people may send never start with `xstate.`: those are the machine's own. */
export function isInternalEvent(type: string): boolean {
  return type.startsWith('xstate.');
}

/** `open`, `review.waiting`, or `a.x,b.y` for parallel regions. */
export function stateLabel(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([key, child]) => {
      if (child === undefined) return key;
      const inner = stateLabel(child as StateValue);
      return inner.includes(',') ? `${key}.(${inner})` : `${key}.${inner}`;
    })
    .join(',');
}

function timerName(sendId: string, event: EventObject): string {
  if (event.type.startsWith(AFTER_PREFIX)) {
    return event.type.slice(AFTER_PREFIX.length).split('.')[0] ?? sendId;
  }
  return sendId;
}

function plainParams(params: unknown): Record<string, unknown> {
  if (params === undefined || params === null) return {};
  if (typeof params !== 'object' || Array.isArray(params)) return { value: params };
  // JSON round trip: the params are stored and must not hold functions or class instances.
  return JSON.parse(JSON.stringify(params)) as Record<string, unknown>;
}

type ExecutableAction = { type: string; params?: unknown };

function toPlan(def: CaseDefinition, snapshot: AnyMachineSnapshot, actions: readonly ExecutableAction[]): TransitionPlan {
  if (snapshot.status === 'error') {
    throw new MachineDefinitionError(`machine ${def.machine.id} failed: ${String(snapshot.error)}`);
  }
  const scheduled = new Map<string, PlannedTimer>();
  const cancelled = new Set<string>();
  const effects: PlannedEffect[] = [];
  for (const action of actions) {
    if (action.type === 'xstate.raise') {
      const p = action.params as { event: EventObject; id?: string; delay?: number };
      if (p.delay === undefined) continue; // an immediate raise was handled inside the macrostep
      const sendId = p.id ?? p.event.type;
      cancelled.add(sendId); // a new timer with the same id replaces the old one
      scheduled.set(sendId, { sendId, name: timerName(sendId, p.event), event: p.event, delayMs: Math.max(0, p.delay) });
    } else if (action.type === 'xstate.cancel') {
      const sendId = (action.params as { sendId: string }).sendId;
      scheduled.delete(sendId);
      cancelled.add(sendId);
    } else if (isInternalEvent(action.type)) {
      throw new MachineDefinitionError(
        `machine ${def.machine.id} uses ${action.type}; only after/raise-with-delay, cancel and named actions are supported`,
      );
    } else {
      effects.push({ action: action.type, params: plainParams(action.params) });
    }
  }
  return {
    snapshot,
    persisted: def.machine.getPersistedSnapshot(snapshot) as Record<string, unknown>,
    stateValue: snapshot.value,
    stateLabel: stateLabel(snapshot.value),
    status: snapshot.status === 'done' ? 'done' : 'active',
    cancelSendIds: [...cancelled],
    timers: [...scheduled.values()],
    effects,
  };
}

export function planOpen(def: CaseDefinition, input: unknown): TransitionPlan {
  const [snapshot, actions] = initialTransition(def.machine, input);
  return toPlan(def, snapshot, actions as ExecutableAction[]);
}

/** Restores a stored snapshot the way XState wants it: through `machine.resolveState`. */
export function restore(def: CaseDefinition, persisted: Record<string, unknown>): AnyMachineSnapshot {
  return def.machine.resolveState(persisted as never) as AnyMachineSnapshot;
}

/** Event types the current state takes (guards not evaluated), without the machine's own events. */
export function acceptedEventTypes(snapshot: AnyMachineSnapshot): string[] {
  const types = new Set<string>();
  for (const t of getNextTransitions(snapshot)) {
    if (t.eventType && !isInternalEvent(t.eventType) && t.eventType !== '*') types.add(t.eventType);
  }
  return [...types].sort();
}

function takesEventType(snapshot: AnyMachineSnapshot, type: string): boolean {
  return getNextTransitions(snapshot).some((t) => t.eventType === type);
}

/**
 * One pure step. Throws UnprocessableError when the state does not take the event or every guard
 * refuses it: the caller then writes nothing.
 */
export function planEvent(def: CaseDefinition, persisted: Record<string, unknown>, event: EventObject): TransitionPlan {
  const current = restore(def, persisted);
  const state = stateLabel(current.value);
  if (current.status !== 'active') {
    throw new UnprocessableError(`the case is ${current.status}; it takes no more events`, { state, event: event.type });
  }
  if (!takesEventType(current, event.type)) {
    throw new UnprocessableError(`state "${state}" does not take event "${event.type}"`, {
      state,
      event: event.type,
      accepted: acceptedEventTypes(current),
    });
  }
  // Guards are evaluated here: no enabled transition means every candidate refused the event.
  if (def.machine.getTransitionData(current as never, event).length === 0) {
    throw new UnprocessableError(`state "${state}" refused event "${event.type}": its conditions are not met`, {
      state,
      event: event.type,
      accepted: acceptedEventTypes(current),
    });
  }
  const [next, actions] = transition(def.machine, current, event);
  return toPlan(def, next, actions as ExecutableAction[]);
}
