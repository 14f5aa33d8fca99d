import type { AnyStateMachine } from 'xstate';
import { MachineDefinitionError } from './errors';

export type ParticipantField = 'school' | 'village';

export interface OpenProblem {
  field: string;
  message: string;
}

/** The versioned policy a case is opened under: deadlines, reason codes, escalation chains. Data, not code. */
export interface CasePolicy {
  id: string;
  version: string;
  values: Record<string, unknown>;
}

/** Which roles may open a case of this type and send each of its events. */
export interface CasePermissions {
  open: readonly string[];
  events: Readonly<Record<string, readonly string[]>>;
}

/** What the engine hands a definition to build the machine's input when a case opens. */
export interface OpenCaseContext {
  caseId: string;
  subject: Record<string, unknown>;
  data: Record<string, unknown>;
  policy: CasePolicy;
  openedAt: string;
  ownerUnitId: string;
}

export interface CaseDefinition {
  /** The case type, e.g. `mandatory-report`. */
  id: string;
  /** Bumped whenever the machine changes; old cases keep the version they were opened with. */
  version: number;
  machine: AnyStateMachine;
  permissions: CasePermissions;
  policy: CasePolicy;
  title?: string;
  /** Builds the machine's input; by default `{ caseId, subject, data, policy: policy.values, openedAt }`. */
  input?: (open: OpenCaseContext) => unknown;
  /**
   * Where a case may be opened: inside the opener's own jurisdiction (default), or anywhere in the
   * opener's county — a mandatory report may concern a child of another township.
   */
  openScope?: 'jurisdiction' | 'county';
  /**
   * Units named in the subject that take part in the case wherever it lies, e.g. `['school', 'village']`
   * for a dropout: the child's school and village committee both work on it and see it.
   */
  participants?: readonly ParticipantField[];
  /** Checks what a case is opened with; each problem names the field (the engine answers 422, writes nothing). */
  validateOpen?: (open: { subject: Record<string, unknown>; data: Record<string, unknown> }) => OpenProblem[];
  /** Fields of `data` only some roles may read (e.g. a reporter's identity); hidden from the rest. */
  confidential?: { fields: readonly string[]; visibleTo: readonly string[] };
}

export function machineInput(def: CaseDefinition, open: OpenCaseContext): unknown {
  if (def.input) return def.input(open);
  return {
    caseId: open.caseId,
    subject: open.subject,
    data: open.data,
    policy: open.policy.values,
    openedAt: open.openedAt,
    ownerUnitId: open.ownerUnitId,
  };
}

/**
 * Named actions of a machine that are effects for the worker. Actions `setup` implements with XState's
 * own creators (`assign`, ...) run inside the transition and are not effects.
 */
export function namedActions(def: CaseDefinition): string[] {
  const actions = (def.machine.implementations?.actions ?? {}) as Record<string, { type?: unknown }>;
  return Object.keys(actions)
    .filter((name) => {
      const type = actions[name]?.type;
      return !(typeof type === 'string' && type.startsWith('xstate.'));
    })
    .sort();
}

/** All case definitions, every version kept so old cases stay loadable. */
export class DefinitionRegistry {
  private readonly byType = new Map<string, Map<number, CaseDefinition>>();

  constructor(definitions: readonly CaseDefinition[] = []) {
    definitions.forEach((d) => this.register(d));
  }

  register(def: CaseDefinition): void {
    if (!/^[a-z][a-z0-9-]*$/.test(def.id)) {
      throw new MachineDefinitionError(`case type "${def.id}" must be lower-case words joined by "-"`);
    }
    if (!Number.isInteger(def.version) || def.version < 1) {
      throw new MachineDefinitionError(`case type "${def.id}" has version ${def.version}; use 1, 2, ...`);
    }
    const versions = this.byType.get(def.id) ?? new Map<number, CaseDefinition>();
    if (versions.has(def.version)) {
      throw new MachineDefinitionError(`case type "${def.id}" version ${def.version} is registered twice`);
    }
    versions.set(def.version, def);
    this.byType.set(def.id, versions);
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  /** The newest version when `version` is omitted: new cases open on it. */
  get(type: string, version?: number): CaseDefinition | undefined {
    const versions = this.byType.get(type);
    if (!versions) return undefined;
    if (version !== undefined) return versions.get(version);
    return versions.get(Math.max(...versions.keys()));
  }

  /** For list queries: which case types let the subject's school / village units see them. */
  participantTypes(): { field: ParticipantField; types: string[] }[] {
    const fields: ParticipantField[] = ['school', 'village'];
    return fields
      .map((field) => ({ field, types: [...new Set(this.all().filter((d) => d.participants?.includes(field)).map((d) => d.id))] }))
      .filter((p) => p.types.length > 0);
  }

  types(): string[] {
    return [...this.byType.keys()].sort();
  }

  all(): CaseDefinition[] {
    return [...this.byType.values()].flatMap((v) => [...v.values()]);
  }
}
