import type { AnyStateMachine, AnyStateNode } from 'xstate';
import type { CaseDefinition } from '#shouhu/engine';

/*
 * Mermaid state diagrams generated from the machine definitions themselves (never drawn by hand), so
 * the documentation cannot drift from what runs. Pure: strings in, strings out.
 *
 * Layout of the `stateDiagram-v2` text:
 * - every state is declared in its parent's block; nested states are composite states
 *   (`state id {` ... `}`), a parallel state's regions are separated by `--`;
 * - ids are the state's path joined with `_` (Mermaid ids are global and may not hold `-`, `.`, `:`),
 *   with `state "key" as id` wherever the id is not the key itself;
 * - `[*] --> x` for the initial state of each compound state, `x --> [*]` for each final state;
 * - transitions between two children of one compound state are written inside its block; every
 *   other one (into or out of a nested state, across regions) at the top level, after all blocks, so
 *   no Mermaid version re-parents a state by where a transition names it;
 * - labels: the event type; `after <delay>` for delayed transitions (`after 500ms` for a number),
 *   `always` for eventless ones, `done` / `done <actor>` / `error <actor>` for XState's own events;
 *   a guard is appended as `[name]` (`[!a]`, `[a && b]`, `[a || b]` for not/and/or);
 * - a transition without a target (actions only) is drawn as a loop on its state;
 * - transitions of the machine's root (accepted in every state) need a state to start from: the
 *   machine is then drawn as one composite state named by its id.
 */

interface Edge {
  source: AnyStateNode;
  target: AnyStateNode;
  label: string;
}

interface TransitionLike {
  eventType: string;
  target?: readonly AnyStateNode[];
  guard?: unknown;
}

const INDENT = '  ';
/** Words Mermaid's state grammar reads as keywords at the start of a statement. */
const RESERVED = /^(state|note|class|classdef|scale|hide|direction|acctitle|accdescr|end)$|^default/i;

export function toMermaid(machine: AnyStateMachine): string {
  const root = machine.root;
  const wrap = transitionsOf(root).length > 0 || allNodes(root).some((n) => edgesOf(n).some((e) => e.target === root));
  const ids = allocateIds(root, wrap);
  const lines: string[] = ['stateDiagram-v2'];
  const deferred: Edge[] = [];
  const id = (node: AnyStateNode) => ids.get(node)!;
  const put = (depth: number, text: string) => lines.push(INDENT.repeat(depth) + text);

  const declare = (node: AnyStateNode, depth: number): void => {
    const label = stateLabel(node);
    if (label !== id(node)) put(depth, `state "${label}" as ${id(node)}`);
    else if (!hasChildren(node)) put(depth, id(node));
    if (hasChildren(node)) {
      put(depth, `state ${id(node)} {`);
      body(node, depth + 1);
      put(depth, '}');
    }
  };

  const body = (node: AnyStateNode, depth: number): void => {
    const children = childrenOf(node);
    if (node.type === 'parallel') {
      children.forEach((child, i) => {
        if (i > 0) put(depth, '--');
        declare(child, depth);
      });
      for (const child of children) deferred.push(...edgesOf(child));
      return;
    }
    for (const child of children) declare(child, depth);
    for (const target of node.initial?.target ?? []) put(depth, `[*] --> ${id(target)}`);
    for (const child of children) {
      for (const edge of edgesOf(child)) {
        if (edge.target.parent === node) put(depth, `${id(edge.source)} --> ${id(edge.target)} : ${edge.label}`);
        else deferred.push(edge);
      }
    }
    for (const child of children) if (child.type === 'final') put(depth, `${id(child)} --> [*]`);
  };

  if (wrap) {
    put(1, `[*] --> ${id(root)}`);
    declare(root, 1);
    deferred.push(...edgesOf(root));
  } else {
    body(root, 1);
  }
  for (const edge of deferred) put(1, `${id(edge.source)} --> ${id(edge.target)} : ${edge.label}`);
  return lines.join('\n');
}

/** One state of a machine as plain data: its dotted path (`handling.work.awaitingDispatch`) is its id. */
export interface GraphState {
  id: string;
  key: string;
  parent: string | null;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** The child entered first (compound states only). */
  initial: string | null;
}

/** One transition as plain data: the same labels as the Mermaid text (`after reportAccept`, `[guard]`). */
export interface GraphTransition {
  source: string;
  target: string;
  event: string;
  label: string;
}

/**
 * The machine as states and transitions, for a page that draws it itself (the console). Built from the
 * same walk as `toMermaid`, so the two can never disagree. The root is left out; its own transitions
 * (accepted in every state) have `source: ''`.
 */
export function machineGraph(machine: AnyStateMachine): { id: string; initial: string | null; states: GraphState[]; transitions: GraphTransition[] } {
  const root = machine.root;
  const pathOf = (node: AnyStateNode) => (node === root ? '' : node.path.join('.'));
  const nodes = allNodes(root);
  const states = nodes
    .filter((n) => n !== root)
    .map((n) => ({
      id: pathOf(n),
      key: n.key,
      parent: n.parent && n.parent !== root ? pathOf(n.parent) : null,
      type: n.type as GraphState['type'],
      initial: n.initial?.target?.[0] ? pathOf(n.initial.target[0]) : null,
    }));
  const transitions = nodes.flatMap((n) =>
    transitionsOf(n).flatMap((t) => {
      const label = transitionLabel(t, n);
      const targets = t.target && t.target.length > 0 ? t.target : [n];
      return targets.map((target) => ({ source: pathOf(n), target: pathOf(target), event: eventLabel(t.eventType, n), label }));
    }),
  );
  const initial = root.initial?.target?.[0] ? pathOf(root.initial.target[0]) : null;
  return { id: root.id, initial, states, transitions };
}

function childrenOf(node: AnyStateNode): AnyStateNode[] {
  return Object.values(node.states ?? {}) as AnyStateNode[];
}

function allNodes(node: AnyStateNode): AnyStateNode[] {
  return [node, ...childrenOf(node).flatMap(allNodes)];
}

function hasChildren(node: AnyStateNode): boolean {
  return childrenOf(node).length > 0;
}

function stateLabel(node: AnyStateNode): string {
  const key = node.parent ? node.key : node.id;
  const label = node.type === 'history' ? `${key} (${node.history === 'deep' ? 'H*' : 'H'})` : key;
  return label.replace(/"/g, "'");
}

/** Path-based ids, unique over the whole diagram (Mermaid ids are global), stable for one definition. */
function allocateIds(root: AnyStateNode, withRoot: boolean): Map<AnyStateNode, string> {
  const ids = new Map<AnyStateNode, string>();
  const used = new Set<string>();
  const take = (node: AnyStateNode, parts: string[]) => {
    let base = parts.map((p) => p.replace(/[^A-Za-z0-9_]/g, '_')).join('_') || '_';
    if (RESERVED.test(base)) base = `s_${base}`;
    let candidate = base;
    for (let n = 2; used.has(candidate); n++) candidate = `${base}_${n}`;
    used.add(candidate);
    ids.set(node, candidate);
  };
  if (withRoot) take(root, [root.id]);
  const visit = (node: AnyStateNode) => {
    for (const child of childrenOf(node)) {
      take(child, child.path);
      visit(child);
    }
  };
  visit(root);
  return ids;
}

function transitionsOf(node: AnyStateNode): TransitionLike[] {
  const on = [...(node.transitions?.values() ?? [])].flat() as TransitionLike[];
  return [...on, ...((node.always ?? []) as TransitionLike[])];
}

function edgesOf(node: AnyStateNode): Edge[] {
  return transitionsOf(node).flatMap((t) => {
    const label = transitionLabel(t, node);
    const targets = t.target && t.target.length > 0 ? t.target : [node];
    return targets.map((target) => ({ source: node, target, label }));
  });
}

function transitionLabel(t: TransitionLike, source: AnyStateNode): string {
  const guard = t.guard === undefined ? '' : ` [${guardLabel(t.guard)}]`;
  return sanitize(eventLabel(t.eventType, source) + guard);
}

function eventLabel(type: string, source: AnyStateNode): string {
  const after = 'xstate.after.';
  const suffix = `.${source.id}`;
  if (type.startsWith(after) && type.endsWith(suffix)) {
    const delay = type.slice(after.length, type.length - suffix.length);
    return /^\d+$/.test(delay) ? `after ${delay}ms` : `after ${delay}`;
  }
  if (type === '') return 'always';
  if (type.startsWith('xstate.done.state.')) return 'done';
  for (const [prefix, word] of [
    ['xstate.done.actor.', 'done'],
    ['xstate.error.actor.', 'error'],
    ['xstate.snapshot.', 'snapshot'],
  ] as const) {
    if (type.startsWith(prefix)) return `${word} ${type.slice(prefix.length)}`;
  }
  return type;
}

function guardLabel(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const fn = guard as { name: string; guards?: unknown[]; check?: unknown; stateValue?: unknown };
    if (typeof fn.check === 'function' && Array.isArray(fn.guards)) {
      const parts = fn.guards.map((g) => {
        const text = guardLabel(g);
        return /\s/.test(text) ? `(${text})` : text;
      });
      if (fn.name === 'not') return `!${parts[0]}`;
      if (fn.name === 'and') return parts.join(' && ');
      if (fn.name === 'or') return parts.join(' || ');
    }
    if (typeof fn.check === 'function' && fn.stateValue !== undefined) {
      return `in ${typeof fn.stateValue === 'string' ? fn.stateValue : JSON.stringify(fn.stateValue)}`;
    }
    return fn.name || 'guard';
  }
  if (guard && typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string') return (guard as { type: string }).type;
  return 'guard';
}

/** A transition label ends at the line and may hold neither `:` nor `;` in Mermaid's grammar. */
function sanitize(label: string): string {
  return label.replace(/[\r\n]+/g, ' ').replace(/:/g, '∶').replace(/;/g, ',');
}

/** Marks generated files, so the generator may replace or remove them and nothing else. */
export const GENERATED_MARKER = '<!-- generated by scripts/diagrams.ts from the machine definitions: do not edit -->';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');

/** The file name of a case type's page: its id, kept to `[a-z0-9-]`. */
export function diagramFileName(def: Pick<CaseDefinition, 'id'>): string {
  return `${def.id.toLowerCase().replace(/[^a-z0-9-]/g, '-')}.md`;
}

/** A case type's page: title, what it is, who may open it and send each event, the diagram. */
export function machineMarkdown(def: CaseDefinition): string {
  const events = Object.entries(def.permissions.events);
  return [
    GENERATED_MARKER,
    `# ${def.title ?? def.id}`,
    '',
    `Case type \`${def.id}\`, machine version ${def.version}, policy \`${def.policy.id}\` ${def.policy.version}.`,
    '',
    `Opened by: ${def.permissions.open.map((r) => `\`${r}\``).join(', ') || '—'}.`,
    '',
    ...(events.length > 0
      ? ['| event | who may send it |', '|---|---|', ...events.map(([e, roles]) => `| \`${cell(e)}\` | ${cell(roles.join(', ')) || '—'} |`), '']
      : []),
    '```mermaid',
    toMermaid(def.machine),
    '```',
    '',
  ].join('\n');
}

/** The index of the pages, one row per case type. */
export function machinesIndex(defs: readonly CaseDefinition[]): string {
  const policies = [...new Set(defs.map((d) => `\`${d.policy.id}\` ${d.policy.version}`))];
  return [
    GENERATED_MARKER,
    '# Case machines',
    '',
    `State diagrams of the case types, generated from their XState definitions under policy ${policies.join(', ') || '—'}.`,
    'Regenerate with `node dist/scripts/diagrams.js` after the build.',
    '',
    '| case type | title | machine version |',
    '|---|---|---|',
    ...defs.map((d) => `| [${cell(d.id)}](${diagramFileName(d)}) | ${cell(d.title ?? '')} | ${d.version} |`),
    '',
  ].join('\n');
}
