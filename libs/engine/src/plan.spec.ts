import { assign, sendTo, setup } from 'xstate';
import type { CaseDefinition } from './definition';
import { DefinitionRegistry, namedActions } from './definition';
import { EffectCatalogue } from './effects';
import { MachineDefinitionError } from './errors';
import { planEvent, planOpen, stateLabel } from './plan';

function definition(machine: CaseDefinition['machine']): CaseDefinition {
  return { id: 'probe', version: 1, machine, policy: { id: 'p', version: '1', values: {} }, permissions: { open: [], events: {} } };
}

describe('plan', () => {
  it('labels nested and parallel states readably', () => {
    expect(stateLabel('open')).toBe('open');
    expect(stateLabel({ review: 'waiting' })).toBe('review.waiting');
    expect(stateLabel({ work: { plan: 'draft', visits: 'due' } })).toBe('work.(plan.draft,visits.due)');
  });

  it('maps after-deadlines in nested states to timers named by their delay, and exits to cancels', () => {
    const machine = setup({ delays: { soon: 1000, later: 5000 } }).createMachine({
      id: 'nested',
      initial: 'outer',
      states: {
        outer: {
          after: { later: 'done' },
          initial: 'inner',
          states: { inner: { after: { soon: 'second' } }, second: {} },
          on: { STOP: 'done' },
        },
        done: { type: 'final' },
      },
    });
    const def = definition(machine);
    const opened = planOpen(def, undefined);
    expect(opened.timers.map((t) => [t.name, t.delayMs]).sort()).toEqual([
      ['later', 5000],
      ['soon', 1000],
    ]);
    expect(opened.stateLabel).toBe('outer.inner');
    const stopped = planEvent(def, opened.persisted, { type: 'STOP' });
    expect(stopped.status).toBe('done');
    expect(stopped.cancelSendIds.sort()).toEqual(opened.timers.map((t) => t.sendId).sort());
    expect(stopped.timers).toEqual([]);
  });

  it('refuses machines that use built-in actions the engine cannot persist', () => {
    const machine = setup({}).createMachine({ id: 'talky', initial: 'a', states: { a: { entry: sendTo('someone', { type: 'HI' }) } } });
    expect(() => planOpen(definition(machine), undefined)).toThrow(MachineDefinitionError);
  });

  it('names the actions a machine declares, and the catalogue reports the ones nobody handles', () => {
    const machine = setup({ actions: { notify: () => undefined, openCase: () => undefined, count: assign({}) } }).createMachine({ id: 'm', initial: 'a', states: { a: {} } });
    const def = definition(machine);
    expect(namedActions(def)).toEqual(['notify', 'openCase']);
    const catalogue = new EffectCatalogue([{ action: 'notify', handle: async () => undefined }]);
    expect(catalogue.unhandled([def])).toEqual(['probe@1: openCase']);
    expect(() => catalogue.register({ action: 'notify', handle: async () => undefined })).toThrow('two handlers');
  });

  it('keeps every version of a definition and rejects a duplicate or a bad id', () => {
    const machine = setup({}).createMachine({ id: 'm', initial: 'a', states: { a: {} } });
    const registry = new DefinitionRegistry([definition(machine), { ...definition(machine), version: 2 }]);
    expect(registry.get('probe')!.version).toBe(2);
    expect(registry.get('probe', 1)!.version).toBe(1);
    expect(() => registry.register(definition(machine))).toThrow('registered twice');
    expect(() => registry.register({ ...definition(machine), id: 'Bad Id' })).toThrow(MachineDefinitionError);
  });
});
