import { randomUUID } from 'node:crypto';
import type { EventObject } from 'xstate';
import { type Actor, SYSTEM_ACTOR, SYSTEM_ROLE, withinJurisdiction } from './actor';
import { type Clock } from './clock';
import { type CaseDefinition, type DefinitionRegistry, machineInput } from './definition';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  MachineDefinitionError,
  NotFoundError,
  UnprocessableError,
} from './errors';
import { chainHash, type HistoryFacts } from './history-chain';
import { isInternalEvent, planEvent, planOpen, type TransitionPlan } from './plan';
import type { CaseRow, CaseStore, HistoryRow, OutboxRow, TimerRow } from './store';

export interface OpenCaseCommand {
  type: string;
  subject: Record<string, unknown>;
  data: Record<string, unknown>;
  ownerUnitId: string;
  jurisdictionPath: string;
  actor: Actor;
  requestId?: string | null;
  /** A caller-chosen id makes opening idempotent (an effect that opens a case may run twice). */
  id?: string;
}

export interface CaseEventCommand {
  caseId: string;
  type: string;
  payload: Record<string, unknown>;
  actor: Actor;
  expectedVersion?: number;
  requestId?: string | null;
}

/** What a committed change produced: the relay enqueues its timers and outbox rows by id. */
export interface CommitResult {
  case: CaseRow;
  history: HistoryRow;
  timers: TimerRow[];
  outbox: OutboxRow[];
  requestId: string | null;
  /** Every deadline of the case still pending after this commit, in due order (the answer shows them). */
  pendingTimers: TimerRow[];
}

export type TimerOutcome =
  | { kind: 'fired'; result: CommitResult }
  | { kind: 'early'; dueAt: Date }
  | { kind: 'settled'; status: string }
  | { kind: 'stale' }
  | { kind: 'missing' };

const TIMER_FIRE_ATTEMPTS = 5;

/**
 * The workflow kernel: every case moves only through here, one pure XState transition at a time,
 * and everything that transition implies is committed in one batch with an optimistic version.
 */
export class WorkflowEngine {
  constructor(
    private readonly registry: DefinitionRegistry,
    private readonly store: CaseStore,
    private readonly clock: Clock,
    private readonly newId: () => string = randomUUID,
  ) {}

  definitionOf(row: Pick<CaseRow, 'type' | 'machineVersion'>): CaseDefinition {
    const def = this.registry.get(row.type, row.machineVersion);
    if (!def) throw new MachineDefinitionError(`no definition for ${row.type} v${row.machineVersion}`);
    return def;
  }

  async open(cmd: OpenCaseCommand): Promise<CommitResult> {
    const def = this.registry.get(cmd.type);
    if (!def) {
      throw new UnprocessableError(`unknown case type "${cmd.type}"`, { field: 'type', known: this.registry.types() });
    }
    const { actor } = cmd;
    if (actor.role !== SYSTEM_ROLE && !def.permissions.open.includes(actor.role)) {
      throw new ForbiddenError(`role "${actor.role}" may not open a ${def.id} case`, { allowedRoles: def.permissions.open });
    }
    const problems = def.validateOpen?.({ subject: cmd.subject, data: cmd.data }) ?? [];
    if (problems.length > 0) {
      throw new UnprocessableError(problems.map((p) => `${p.field}: ${p.message}`).join('; '), { field: problems[0]!.field, problems });
    }
    if (!mayOpenAt(def, actor, cmd.jurisdictionPath)) {
      throw new ForbiddenError(`${cmd.jurisdictionPath} is outside your jurisdiction ${actor.jurisdictionPath}`);
    }
    const now = this.clock.now();
    const id = cmd.id ?? this.newId();
    const plan = planOpen(
      def,
      machineInput(def, {
        caseId: id,
        subject: cmd.subject,
        data: cmd.data,
        policy: def.policy,
        openedAt: now.toISOString(),
        ownerUnitId: cmd.ownerUnitId,
      }),
    );
    const base: CaseRow = {
      id,
      type: def.id,
      machineId: def.machine.id,
      machineVersion: def.version,
      policyVersion: def.policy.version,
      ownerUnitId: cmd.ownerUnitId,
      jurisdictionPath: cmd.jurisdictionPath,
      subject: cmd.subject,
      data: cmd.data,
      snapshot: {},
      stateValue: null,
      state: '',
      status: 'active',
      version: 0,
      lastSeq: 0,
      lastHash: null,
      createdBy: actor.userId,
      createdAt: now,
      updatedAt: now,
    };
    const cause = { type: 'case.opened', payload: { subject: cmd.subject, data: cmd.data } };
    return this.commit(base, null, [], plan, cause, actor, now, cmd.requestId ?? null);
  }

  async apply(cmd: CaseEventCommand): Promise<CommitResult> {
    const { actor } = cmd;
    const loaded = await this.store.loadCase(cmd.caseId);
    if (!loaded) throw new NotFoundError('case', cmd.caseId);
    const { row } = loaded;
    const def = this.definitionOf(row);
    const visible = canSee(actor, row, def);
    if (isInternalEvent(cmd.type)) {
      throw new ForbiddenError(`events named xstate.* belong to the machine; only the engine sends them`, { field: 'type' });
    }
    const allowedRoles = def.permissions.events[cmd.type];
    // A role that may never send this event is refused (403) even on a case it cannot see: a school
    // cannot dispatch police. It learns nothing of the case beyond that.
    if (allowedRoles && actor.role !== SYSTEM_ROLE && !allowedRoles.includes(actor.role)) {
      throw new ForbiddenError(`role "${actor.role}" may not send "${cmd.type}"`, visible ? { allowedRoles } : {});
    }
    if (!visible) throw new NotFoundError('case', cmd.caseId);
    if (!allowedRoles) {
      throw new UnprocessableError(`a ${def.id} case has no event "${cmd.type}"`, {
        field: 'type',
        state: row.state,
        known: Object.keys(def.permissions.events).sort(),
      });
    }
    const reserved = Object.keys(cmd.payload).filter((k) => k.startsWith('$') || k === 'type');
    if (reserved.length > 0) {
      throw new BadRequestError(`payload field ${reserved[0]} is reserved`, { field: `payload.${reserved[0]}` });
    }
    if (cmd.expectedVersion !== undefined && cmd.expectedVersion !== row.version) {
      throw new ConflictError(`the case is at version ${row.version}, not ${cmd.expectedVersion}`, {
        currentVersion: row.version,
        expectedVersion: cmd.expectedVersion,
      });
    }
    const now = this.clock.now();
    const plan = planEvent(def, row.snapshot, this.machineEvent({ ...cmd.payload, type: cmd.type }, actor, now));
    return this.commit(row, row.version, loaded.pendingTimers, plan, { type: cmd.type, payload: cmd.payload }, actor, now, cmd.requestId ?? null);
  }

  /**
   * Called by the timer worker. Safe to call any number of times: only a pending, due timer of a
   * state that still takes its event moves the case, and then the timer is marked fired in the same commit.
   */
  async fireTimer(timerId: string, requestId: string | null = null): Promise<TimerOutcome> {
    for (let attempt = 0; attempt < TIMER_FIRE_ATTEMPTS; attempt++) {
      const found = await this.store.loadTimer(timerId);
      if (!found) return { kind: 'missing' };
      const { timer, loaded } = found;
      if (timer.status !== 'pending') return { kind: 'settled', status: timer.status };
      const now = this.clock.now();
      if (timer.dueAt.getTime() > now.getTime()) return { kind: 'early', dueAt: timer.dueAt };
      if (!loaded) return { kind: 'missing' };
      const { row } = loaded;
      let plan: TransitionPlan;
      try {
        plan = planEvent(this.definitionOf(row), row.snapshot, this.machineEvent(timer.event as EventObject, SYSTEM_ACTOR, now));
      } catch (err) {
        if (!(err instanceof UnprocessableError)) throw err;
        await this.store.settleTimer(timerId, 'stale', now);
        return { kind: 'stale' };
      }
      const payload = { timerId: timer.id, deadline: timer.name, dueAt: timer.dueAt.toISOString() };
      try {
        const cause = { type: timer.event.type as string, payload };
        const result = await this.commit(row, row.version, loaded.pendingTimers, plan, cause, SYSTEM_ACTOR, now, requestId, timer);
        return { kind: 'fired', result };
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err; // someone moved the case meanwhile: look again
      }
    }
    throw new ConflictError(`timer ${timerId} lost ${TIMER_FIRE_ATTEMPTS} races in a row`);
  }

  /** Whether a case with this id exists (for idempotent opening by a derived id). */
  async caseExists(caseId: string): Promise<boolean> {
    return (await this.store.findCase(caseId)) !== null;
  }

  /** The case as `actor` may see it; NotFound also when it lies outside the actor's jurisdiction. */
  async visibleCase(caseId: string, actor: Actor): Promise<CaseRow> {
    const row = await this.store.findCase(caseId);
    if (!row || !canSee(actor, row, this.definitionOf(row))) throw new NotFoundError('case', caseId);
    return row;
  }

  private machineEvent(event: EventObject, actor: Actor, now: Date): EventObject {
    // `$at` and `$actor` let a machine record who did what and compute calendar deadlines without a clock.
    const meta = { $at: now.toISOString(), $actor: { userId: actor.userId, unitId: actor.unitId, role: actor.role } };
    return { ...event, ...meta } as EventObject;
  }

  private async commit(
    before: CaseRow,
    expectedVersion: number | null,
    pendingBefore: readonly TimerRow[],
    plan: TransitionPlan,
    cause: { type: string; payload: Record<string, unknown> },
    actor: Actor,
    now: Date,
    requestId: string | null,
    firedTimer?: TimerRow,
  ): Promise<CommitResult> {
    const seq = before.lastSeq + 1;
    const facts: HistoryFacts = {
      caseId: before.id,
      seq,
      eventType: cause.type,
      payload: cause.payload,
      actorUserId: actor.userId,
      actorUnitId: actor.unitId,
      actorRole: actor.role,
      fromState: expectedVersion === null ? null : before.state,
      toState: plan.stateLabel,
      at: now.toISOString(),
      requestId,
    };
    const history: HistoryRow = { ...facts, prevHash: before.lastHash, hash: chainHash(before.lastHash, facts) };
    const after: CaseRow = {
      ...before,
      snapshot: plan.persisted,
      stateValue: plan.stateValue,
      state: plan.stateLabel,
      status: plan.status,
      version: before.version + 1,
      lastSeq: seq,
      lastHash: history.hash,
      updatedAt: now,
    };
    const timers: TimerRow[] = plan.timers.map((t) => ({
      id: this.newId(),
      caseId: before.id,
      sendId: t.sendId,
      name: t.name,
      event: t.event as unknown as Record<string, unknown>,
      dueAt: new Date(now.getTime() + t.delayMs),
      status: 'pending',
      createdSeq: seq,
      createdAt: now,
      settledAt: null,
    }));
    // What stays pending: the case's deadlines as loaded (any commit that changed them since would
    // have moved the version, and this commit would fail), less the one firing and those cancelled, plus the new.
    const pendingTimers = [
      ...pendingBefore.filter((t) => t.id !== firedTimer?.id && !plan.cancelSendIds.includes(t.sendId)),
      ...timers,
    ].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
    const outbox = plan.effects.length ? this.outboxRows(after, plan, pendingTimers, actor, now, requestId, firedTimer) : [];
    await this.store.commit({
      case: after,
      expectedVersion,
      history,
      cancelSendIds: plan.cancelSendIds,
      timers,
      outbox,
      firedTimerId: firedTimer?.id,
    });
    return { case: after, history, timers, outbox, requestId, pendingTimers };
  }

  private outboxRows(
    after: CaseRow,
    plan: TransitionPlan,
    pending: readonly TimerRow[],
    actor: Actor,
    now: Date,
    requestId: string | null,
    firedTimer?: TimerRow,
  ): OutboxRow[] {
    const meta = {
      state: after.state,
      actor: { userId: actor.userId, unitId: actor.unitId, role: actor.role },
      pendingDeadlines: pending.map((t) => ({ name: t.name, dueAt: t.dueAt.toISOString() })),
      ...(firedTimer ? { firedDeadline: { name: firedTimer.name, dueAt: firedTimer.dueAt.toISOString() } } : {}),
    };
    return plan.effects.map((e) => ({
      id: this.newId(),
      caseId: after.id,
      seq: after.lastSeq,
      action: e.action,
      params: e.params,
      meta,
      status: 'pending',
      attempts: 0,
      lastError: null,
      requestId,
      createdAt: now,
      doneAt: null,
    }));
  }
}

function mayOpenAt(def: CaseDefinition, actor: Actor, path: string): boolean {
  if (actor.role === SYSTEM_ROLE || withinJurisdiction(actor.jurisdictionPath, path)) return true;
  const county = (p: string) => p.split('/')[0];
  return def.openScope === 'county' && county(actor.jurisdictionPath) === county(path);
}

export function canSee(
  actor: Actor,
  row: Pick<CaseRow, 'jurisdictionPath' | 'ownerUnitId' | 'subject'>,
  def?: Pick<CaseDefinition, 'participants'>,
): boolean {
  if (actor.role === SYSTEM_ROLE || row.ownerUnitId === actor.unitId || withinJurisdiction(actor.jurisdictionPath, row.jurisdictionPath)) {
    return true;
  }
  return (def?.participants ?? []).some((field) => row.subject[field] === actor.unitId);
}
