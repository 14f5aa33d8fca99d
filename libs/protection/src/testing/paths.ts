import { type AnyMachineSnapshot, type AnyStateMachine, type AnyStateNode, type EventObject, initialTransition, transition } from 'xstate';
import { getShortestPaths } from 'xstate/graph';

/*
 * Generated paths through a machine, for specs and tests only (nothing in the running system imports
 * this): the machine specs check coverage with it, and the reliability tests replay the same paths
 * through the real engine and database.
 */

/** One step of a path: the state before the event, and the event. */
export interface PathEdge {
  state: AnyMachineSnapshot;
  event: EventObject;
}

export interface MachinePath {
  edges: PathEdge[];
  /** The state the path ends in. */
  end: AnyMachineSnapshot;
}

export interface PathOptions {
  input: unknown;
  /** Sample events, valid and invalid; only those a state takes (guards included) are followed. */
  events: readonly EventObject[];
  /** What makes two states different (value and what the guards read); default: the state value. */
  serializeState?: (s: AnyMachineSnapshot) => string;
}

/** Every state node under (and including) `node`. */
export function stateNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...Object.values(node.states).flatMap(stateNodes)];
}

/** Transitions the machine would take for `event` in `state` (empty when the state or its guards refuse it). */
export function taken(machine: AnyStateMachine, state: AnyMachineSnapshot, event: EventObject) {
  return machine.getTransitionData(state as never, event as never);
}

/** `source event #index`: one transition of the machine, the same for every path that takes it. */
export function transitionKey(t: { source: AnyStateNode; eventType: string }): string {
  return `${t.source.id} ${t.eventType} #${t.source.transitions.get(t.eventType)!.indexOf(t as never)}`;
}

/** Every transition the machine defines, by `transitionKey` (eventless `always` branches are not in it). */
export function allTransitionKeys(machine: AnyStateMachine): string[] {
  return stateNodes(machine.root).flatMap((n) => [...n.transitions].flatMap(([type, ts]) => ts.map((_, i) => `${n.id} ${type} #${i}`)));
}

/** xstate/graph's steps hold the state after each event (the first is `xstate.init`): pair each event with the state before it. */
export function edgesOf(path: { steps: readonly { state: AnyMachineSnapshot; event: EventObject }[] }): PathEdge[] {
  return path.steps.slice(1).map((step, i) => ({ state: path.steps[i]!.state, event: step.event }));
}

/** The path `events` take from the machine's initial state; null when a state refuses one of them. */
export function replay(machine: AnyStateMachine, input: unknown, events: readonly EventObject[]): MachinePath | null {
  let [state] = initialTransition(machine, input) as [AnyMachineSnapshot, unknown];
  const edges: PathEdge[] = [];
  for (const event of events) {
    if (taken(machine, state, event).length === 0) return null;
    edges.push({ state, event });
    state = transition(machine, state as never, event as never)[0] as AnyMachineSnapshot;
  }
  return { edges, end: state };
}

/** What a set of paths reaches and takes, and which action types its transitions emit. */
export function coverage(machine: AnyStateMachine, paths: readonly MachinePath[]) {
  const reached = new Set<string>();
  const transitions = new Set<string>();
  const actionTypes = new Set<string>();
  for (const path of paths) {
    for (const s of [...path.edges.map((e) => e.state), path.end]) s._nodes.forEach((n: AnyStateNode) => reached.add(n.id));
    for (const { state, event } of path.edges) {
      taken(machine, state, event).forEach((t) => transitions.add(transitionKey(t)));
      (transition(machine, state as never, event as never)[1] as { type: string }[]).forEach((a) => actionTypes.add(a.type));
    }
  }
  return { reached, transitions, actionTypes };
}

/**
 * A bounded selection of generated paths, for replays that cost (a database, a server): the shortest
 * path to every distinct state, and each extended by one more step for every sample event its end
 * state takes (so every transition the samples reach lies on some candidate); the shortest first,
 * each kept only if it reaches a state node, takes a transition or ends in a status no path kept before
 * did, at most `cap`.
 *
 * xstate/graph keeps one snapshot per serialized state, so a step's recorded state may come from
 * another route to the same serialized state; each kept path is therefore replayed from the start, its
 * states are the ones its own events give, and a path whose replay refuses an event is passed over.
 */
export function selectedPaths(machine: AnyStateMachine, options: PathOptions, cap: number): MachinePath[] {
  const filterEvents = (s: AnyMachineSnapshot, e: EventObject) => taken(machine, s, e).length > 0;
  const serializeState = options.serializeState ?? ((s: AnyMachineSnapshot) => JSON.stringify(s.value));
  const shortest = getShortestPaths(machine, { input: options.input, events: options.events as never[], filterEvents, serializeState });
  const nodeKeys = (s: AnyMachineSnapshot) => [...s._nodes.map((n: AnyStateNode) => `node ${n.id}`), `status ${s.status}`];
  const edgeKeys = (state: AnyMachineSnapshot, event: EventObject) => taken(machine, state, event).map(transitionKey);
  // Candidates with the keys they cover, computed once per shortest path and once per extension.
  const candidates = shortest.flatMap((p) => {
    const edges = edgesOf(p);
    const end = p.state as AnyMachineSnapshot;
    const keys = [...edges.flatMap((e) => [...nodeKeys(e.state), ...edgeKeys(e.state, e.event)]), ...nodeKeys(end)];
    return [
      { events: edges.map((e) => e.event), keys },
      ...options.events
        .filter((event) => filterEvents(end, event))
        .map((event) => ({ events: [...edges.map((e) => e.event), event], keys: [...keys, ...edgeKeys(end, event), ...nodeKeys(transition(machine, end as never, event as never)[0] as AnyMachineSnapshot)] })),
    ];
  });
  const seen = new Set<string>();
  const chosen: MachinePath[] = [];
  for (const candidate of candidates.sort((a, b) => a.events.length - b.events.length)) {
    if (chosen.length >= cap) break;
    if (candidate.keys.every((k) => seen.has(k))) continue;
    const path = replay(machine, options.input, candidate.events);
    if (!path) continue;
    candidate.keys.forEach((k) => seen.add(k));
    chosen.push(path);
  }
  return chosen;
}
