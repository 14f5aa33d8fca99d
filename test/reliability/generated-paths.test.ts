import { type EventObject, initialTransition, transition } from 'xstate';
import { type Actor, type CaseDefinition, DefinitionRegistry, machineInput, ManualClock, SYSTEM_ACTOR, WorkflowEngine } from '#shouhu/engine';
import { Database, SqlCaseStore } from '#shouhu/persistence';
import { CHANGBAI_POLICY, protectionDefinitionsFor } from '#shouhu/protection';
import { allTransitionKeys, coverage, type MachinePath, selectedPaths } from '../../libs/protection/src/testing/paths';
import { createTestDatabase, prepareDatabase } from '../support/stack';
import { MACHINE_SAMPLES, type MachineSample, type Opening, type SampleEvent } from './support/machine-samples';
import { historyOf } from './support/reliability-stack';

/*
 * Every protection machine's generated paths (xstate/graph, from the definition and sample events)
 * replayed through the real WorkflowEngine and the PostgreSQL SqlCaseStore: people's events through
 * `apply` (the engine stamps `$at` from a manual clock set to the event's time, and `$actor`), delayed
 * events through the timer row the engine armed and `fireTimer` once it is due. The persisted state
 * must be the path's; then the stored history, replayed into a fresh pure initialTransition/transition
 * run, must give the same state value and context.
 *
 * PATHS_PER_OPENING (default 25) bounds the paths per machine and opening (shortest first, each adding
 * coverage).
 */
const CAP = Number(process.env.PATHS_PER_OPENING ?? 25);
jest.setTimeout(300_000);

const DEFINITIONS = protectionDefinitionsFor(CHANGBAI_POLICY);
const COUNTY = 'changbai';
let drop: (() => Promise<void>) | undefined;
let db: Database;
let clock: ManualClock;
let engine: WorkflowEngine;

beforeAll(async () => {
  const created = await createTestDatabase('paths');
  drop = created.drop;
  await prepareDatabase(created.url);
  db = await Database.open({ kind: 'postgres', url: created.url });
  clock = new ManualClock();
  engine = new WorkflowEngine(new DefinitionRegistry(DEFINITIONS), new SqlCaseStore(db), clock);
});

afterAll(async () => {
  await db?.close();
  await drop?.();
});

const rows = (sql: string, params: unknown[]) => db.em().execute(sql, params) as Promise<Record<string, any>[]>;
const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const isTimerEvent = (type: string) => type.startsWith('xstate.after.');

/** Who sends a person's event: the sample's `$actor`, else the first role the definition lets send it; county-wide sight. */
function actorFor(def: CaseDefinition, event: SampleEvent): Actor {
  const who = event.$actor ?? { userId: 'path-runner', unitId: 'changbai-civil-affairs', role: def.permissions.events[event.type]![0]! };
  return { ...who, jurisdictionPath: COUNTY };
}

/** Drives one path through the engine; returns the case id. */
async function replayThroughEngine(def: CaseDefinition, opening: Opening, path: MachinePath, label: string): Promise<string> {
  clock.set(opening.openedAt);
  const opened = await engine.open({ type: def.id, subject: opening.subject, data: opening.data, ownerUnitId: 'changbai-civil-affairs', jurisdictionPath: `${COUNTY}/maluguo`, actor: SYSTEM_ACTOR });
  const caseId = opened.case.id;
  for (const [i, { event }] of path.edges.entries()) {
    const step = `${label} step ${i + 1} ${event.type}`;
    if (isTimerEvent(event.type)) {
      const [timer] = await rows(`select id, due_at from timers where case_id = ? and status = 'pending' and event->>'type' = ?`, [caseId, event.type]);
      if (!timer) throw new Error(`${step}: the engine armed no pending timer for it`);
      // At the path's time for it, unless the armed timer is due only later.
      const due = Math.max(new Date(timer.due_at).getTime(), (event as SampleEvent).$at ? Date.parse((event as SampleEvent).$at!) : clock.now().getTime());
      clock.set(new Date(due));
      const outcome = await engine.fireTimer(timer.id as string);
      if (outcome.kind !== 'fired') throw new Error(`${step}: fireTimer gave ${JSON.stringify(outcome)}`);
    } else {
      const { type, $at, $actor: _actor, ...payload } = event as SampleEvent;
      if ($at) clock.set($at);
      await engine.apply({ caseId, type, payload, actor: actorFor(def, event as SampleEvent) }).catch((err: unknown) => {
        throw new Error(`${step}: ${String(err)}`);
      });
    }
  }
  return caseId;
}

/** The stored history, replayed into a fresh pure run of the machine. */
async function replayHistory(def: CaseDefinition, caseId: string) {
  const [row] = await rows('select subject, data, owner_unit_id from cases where id = ?', [caseId]);
  // historyOf writes pg's `$n` placeholders; MikroORM's execute takes `?`.
  const history = await historyOf({ rows: async <T>(sql: string, params: unknown[] = []) => (await rows(sql.replace(/\$\d+/g, '?'), params)) as T[] }, caseId);
  const input = machineInput(def, { caseId, subject: row!.subject, data: row!.data, policy: def.policy, openedAt: history[0]!.at, ownerUnitId: row!.owner_unit_id });
  let [snapshot] = initialTransition(def.machine, input);
  for (const h of history.slice(1)) {
    const $actor = { userId: h.actorUserId, unitId: h.actorUnitId, role: h.actorRole };
    // A fired timer's row records which timer; the machine got only its event.
    const fields = h.actorRole === SYSTEM_ACTOR.role ? {} : (h.payload as Record<string, unknown>);
    [snapshot] = transition(def.machine, snapshot, { ...fields, type: h.eventType, $at: h.at, $actor } as EventObject);
  }
  return { snapshot, history };
}

function pathsFor(sample: MachineSample, def: CaseDefinition, opening: Opening, caseId = 'path-case'): MachinePath[] {
  const input = machineInput(def, { caseId, subject: opening.subject, data: opening.data, policy: def.policy, openedAt: opening.openedAt, ownerUnitId: 'changbai-civil-affairs' });
  return selectedPaths(def.machine, { input, events: sample.events, serializeState: sample.serializeState }, CAP);
}

const totals: Record<string, { paths: number; events: number; transitions: string }> = {};

describe.each(MACHINE_SAMPLES.map((s) => [s.type, s] as const))('%s: generated paths through the real engine and PostgreSQL', (type, sample) => {
  const def = DEFINITIONS.find((d) => d.id === type)!;

  it('every selected path ends in the path\'s state, and its history replays to the same state and context', async () => {
    let replayed = 0;
    let events = 0;
    const covered = new Set<string>();
    for (const [o, opening] of sample.openings.entries()) {
      const chosen = pathsFor(sample, def, opening);
      expect(chosen.length).toBeGreaterThan(0);
      coverage(def.machine, chosen).transitions.forEach((t) => covered.add(t));
      for (const [p, path] of chosen.entries()) {
        const label = `${type} opening ${o + 1} path ${p + 1} [${path.edges.map((e) => e.event.type.replace(/^xstate\.after\.([^.]+).*/, 'after:$1')).join(' → ')}]`;
        const caseId = await replayThroughEngine(def, opening, path, label);
        const [row] = await rows('select state_value, status, version, snapshot from cases where id = ?', [caseId]);
        expect({ label, value: row!.state_value, status: row!.status }).toEqual({ label, value: json(path.end.value), status: path.end.status === 'done' ? 'done' : 'active' });
        expect(row!.version).toBe(1 + path.edges.length);
        const { snapshot, history } = await replayHistory(def, caseId);
        expect(history).toHaveLength(1 + path.edges.length);
        const pure = json(def.machine.getPersistedSnapshot(snapshot)) as unknown as { value: unknown; context: unknown; status: string };
        expect({ label, value: pure.value, status: pure.status }).toEqual({ label, value: row!.snapshot.value, status: row!.snapshot.status });
        expect({ label, context: pure.context }).toEqual({ label, context: row!.snapshot.context });
        replayed++;
        events += path.edges.length;
      }
    }
    const all = allTransitionKeys(def.machine);
    totals[type] = { paths: replayed, events, transitions: `${all.filter((t) => covered.has(t)).length}/${all.length}` };
    // The selection still takes every transition the samples reach in the pure run.
    expect(all.filter((t) => !covered.has(t))).toEqual([]);
  });
});

afterAll(() => {
  console.log(`generated paths replayed (cap ${CAP} per opening): ${JSON.stringify(totals)}`);
});
