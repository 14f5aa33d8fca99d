import { setup } from 'xstate';
import { DefinitionRegistry, type CaseDefinition } from '#shouhu/engine';
import { machineGraph } from '#shouhu/protection';
import type { DirectoryService } from '#shouhu/directory';
import { ConsoleQueries } from './console.queries';

const machine = setup({ guards: { ready: () => true } }).createMachine({
  id: 'drill',
  initial: 'idle',
  on: { RESET: '.idle' },
  states: {
    idle: { on: { START: 'running' } },
    running: {
      type: 'parallel',
      states: {
        work: { initial: 'doing', states: { doing: { on: { DONE: { target: 'done', guard: 'ready' } } }, done: {} } },
        clock: { initial: 'ticking', states: { ticking: { after: { 500: 'late' } }, late: {} } },
      },
    },
    closed: { type: 'final' },
  },
});

const def = (version: number): CaseDefinition => ({
  id: 'drill',
  version,
  title: '演练 — drill',
  machine,
  permissions: { open: ['office'], events: { START: ['office'], DONE: ['office'], RESET: ['office'] } },
  policy: { id: 'p', version: '1', values: {} },
});

describe('machineGraph', () => {
  it('lists every state by its dotted path with parent, kind and initial child', () => {
    const g = machineGraph(machine);
    expect(g.initial).toBe('idle');
    expect(g.states).toEqual([
      { id: 'idle', key: 'idle', parent: null, type: 'atomic', initial: null },
      { id: 'running', key: 'running', parent: null, type: 'parallel', initial: null },
      { id: 'running.work', key: 'work', parent: 'running', type: 'compound', initial: 'running.work.doing' },
      { id: 'running.work.doing', key: 'doing', parent: 'running.work', type: 'atomic', initial: null },
      { id: 'running.work.done', key: 'done', parent: 'running.work', type: 'atomic', initial: null },
      { id: 'running.clock', key: 'clock', parent: 'running', type: 'compound', initial: 'running.clock.ticking' },
      { id: 'running.clock.ticking', key: 'ticking', parent: 'running.clock', type: 'atomic', initial: null },
      { id: 'running.clock.late', key: 'late', parent: 'running.clock', type: 'atomic', initial: null },
      { id: 'closed', key: 'closed', parent: null, type: 'final', initial: null },
    ]);
  });

  it('labels transitions as the Mermaid text does; the root’s own ones start from ""', () => {
    expect(machineGraph(machine).transitions).toEqual(
      expect.arrayContaining([
        { source: '', target: 'idle', event: 'RESET', label: 'RESET' },
        { source: 'idle', target: 'running', event: 'START', label: 'START' },
        { source: 'running.work.doing', target: 'running.work.done', event: 'DONE', label: 'DONE [ready]' },
        { source: 'running.clock.ticking', target: 'running.clock.late', event: 'after 500ms', label: 'after 500ms' },
      ]),
    );
  });
});

describe('ConsoleQueries.definition', () => {
  const queries = new ConsoleQueries({} as DirectoryService, new DefinitionRegistry([def(1), def(2)]));

  it('gives the newest version unless one is asked for, with every version known', () => {
    expect(queries.definition('drill')).toMatchObject({ type: 'drill', version: 2, versions: [1, 2], title: '演练 — drill' });
    expect(queries.definition('drill', 1).version).toBe(1);
    expect(queries.definitions()).toEqual([{ type: 'drill', version: 2, title: '演练 — drill' }]);
  });

  it('answers not found for an unknown type or version', () => {
    expect(() => queries.definition('nope')).toThrow('definition nope was not found');
    expect(() => queries.definition('drill', 3)).toThrow('definition drill@3 was not found');
  });
});
