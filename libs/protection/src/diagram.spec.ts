import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, not, or, setup, stateIn } from 'xstate';
import type { CaseDefinition } from '#shouhu/engine';
import { diagramFileName, GENERATED_MARKER, machineMarkdown, machinesIndex, toMermaid } from './diagram';
import { CHANGBAI_POLICY, protectionDefinitionsFor } from './index';
import { mandatoryReportDefinition } from './machines/mandatory-report.machine';

const lines = (text: string) => text.split('\n');

describe('toMermaid', () => {
  it('draws nested states as composite states with their initial and final states', () => {
    const machine = setup({}).createMachine({
      id: 'nested',
      initial: 'idle',
      states: {
        idle: { on: { START: 'running' } },
        running: {
          initial: 'first',
          states: {
            first: { on: { NEXT: 'second' } },
            second: { type: 'final' },
          },
          onDone: 'done',
          on: { STOP: 'idle' },
        },
        done: { type: 'final' },
      },
    });
    expect(lines(toMermaid(machine))).toEqual([
      'stateDiagram-v2',
      '  idle',
      '  state running {',
      '    state "first" as running_first',
      '    state "second" as running_second',
      '    [*] --> running_first',
      '    running_first --> running_second : NEXT',
      '    running_second --> [*]',
      '  }',
      '  done',
      '  [*] --> idle',
      '  idle --> running : START',
      '  running --> idle : STOP',
      '  running --> done : done',
      '  done --> [*]',
    ]);
  });

  it('separates the regions of a parallel state with --', () => {
    const machine = setup({}).createMachine({
      id: 'parallel',
      initial: 'open',
      states: {
        open: {
          type: 'parallel',
          states: {
            work: {
              initial: 'todo',
              states: { todo: { on: { DO: 'done' } }, done: { type: 'final' } },
            },
            feedback: {
              initial: 'waiting',
              states: { waiting: { on: { TELL: 'told' } }, told: { type: 'final' } },
            },
          },
          onDone: 'closed',
        },
        closed: { type: 'final' },
      },
    });
    expect(lines(toMermaid(machine))).toEqual([
      'stateDiagram-v2',
      '  state open {',
      '    state "work" as open_work',
      '    state open_work {',
      '      state "todo" as open_work_todo',
      '      state "done" as open_work_done',
      '      [*] --> open_work_todo',
      '      open_work_todo --> open_work_done : DO',
      '      open_work_done --> [*]',
      '    }',
      '    --',
      '    state "feedback" as open_feedback',
      '    state open_feedback {',
      '      state "waiting" as open_feedback_waiting',
      '      state "told" as open_feedback_told',
      '      [*] --> open_feedback_waiting',
      '      open_feedback_waiting --> open_feedback_told : TELL',
      '      open_feedback_told --> [*]',
      '    }',
      '  }',
      '  closed',
      '  [*] --> open',
      '  open --> closed : done',
      '  closed --> [*]',
    ]);
  });

  it('labels delayed transitions with the delay name (or milliseconds) and guarded ones with the guard', () => {
    const machine = setup({
      delays: { reportAccept: 900_000 },
      guards: { hasSummary: () => true, isUrgent: () => true, isLate: () => true },
    }).createMachine({
      id: 'timed',
      initial: 'waiting',
      states: {
        waiting: {
          after: { reportAccept: 'overdue', 5000: 'reminded' },
          on: {
            ANSWER: [
              { target: 'answered', guard: 'hasSummary' },
              { target: 'overdue', guard: { type: 'isUrgent', params: { level: 2 } } },
            ],
          },
        },
        reminded: {
          on: {
            ANSWER: { target: 'answered', guard: and(['hasSummary', not('isLate')]) },
            ESCALATE: { target: 'overdue', guard: or(['isUrgent', 'isLate']) },
          },
        },
        overdue: { always: { target: 'answered', guard: stateIn('#timed.answered') } },
        answered: { type: 'final' },
      },
    });
    expect(lines(toMermaid(machine))).toEqual([
      'stateDiagram-v2',
      '  waiting',
      '  reminded',
      '  overdue',
      '  answered',
      '  [*] --> waiting',
      '  waiting --> answered : ANSWER [hasSummary]',
      '  waiting --> overdue : ANSWER [isUrgent]',
      '  waiting --> reminded : after 5000ms',
      '  waiting --> overdue : after reportAccept',
      '  reminded --> answered : ANSWER [hasSummary && !isLate]',
      '  reminded --> overdue : ESCALATE [isUrgent || isLate]',
      '  overdue --> answered : always [in #timed.answered]',
      '  answered --> [*]',
    ]);
  });

  it('writes transitions that leave a composite state at the top level, after every block', () => {
    const machine = setup({ guards: { hasOutcome: () => true } }).createMachine({
      id: 'report',
      initial: 'handling',
      states: {
        handling: {
          initial: 'dispatched',
          states: {
            dispatched: { on: { CONCLUDE: { target: '#report.concluded', guard: 'hasOutcome' }, NOTE: {} } },
          },
        },
        concluded: { type: 'final' },
      },
    });
    expect(lines(toMermaid(machine))).toEqual([
      'stateDiagram-v2',
      '  state handling {',
      '    state "dispatched" as handling_dispatched',
      '    [*] --> handling_dispatched',
      '    handling_dispatched --> handling_dispatched : NOTE',
      '  }',
      '  concluded',
      '  [*] --> handling',
      '  concluded --> [*]',
      '  handling_dispatched --> concluded : CONCLUDE [hasOutcome]',
    ]);
  });

  it('draws the machine as one composite state when its root takes events, and keeps ids valid and unique', () => {
    const machine = setup({}).createMachine({
      id: 'case-x',
      initial: 'in-progress',
      on: { WITHDRAW: '.closed' },
      states: {
        'in-progress': { on: { 'service:done': 'in_progress' } },
        in_progress: {},
        state: {},
        closed: { type: 'final' },
      },
    });
    expect(lines(toMermaid(machine))).toEqual([
      'stateDiagram-v2',
      '  [*] --> case_x',
      '  state "case-x" as case_x',
      '  state case_x {',
      '    state "in-progress" as in_progress',
      '    state "in_progress" as in_progress_2',
      '    state "state" as s_state',
      '    closed',
      '    [*] --> in_progress',
      '    in_progress --> in_progress_2 : service∶done',
      '    closed --> [*]',
      '  }',
      '  case_x --> closed : WITHDRAW',
    ]);
  });
});

describe('machine pages', () => {
  const tiny: CaseDefinition = {
    id: 'tiny-case',
    version: 3,
    title: '小 | tiny',
    machine: setup({}).createMachine({ id: 'tiny-case', initial: 'open', states: { open: { on: { CLOSE: 'closed' } }, closed: { type: 'final' } } }),
    permissions: { open: ['school', 'police'], events: { CLOSE: ['police'] } },
    policy: { id: 'changbai', version: '2016.39-1', values: {} },
  };

  it('writes the title, who may act and the diagram in a mermaid block', () => {
    expect(diagramFileName(tiny)).toBe('tiny-case.md');
    expect(lines(machineMarkdown(tiny))).toEqual([
      GENERATED_MARKER,
      '# 小 | tiny',
      '',
      'Case type `tiny-case`, machine version 3, policy `changbai` 2016.39-1.',
      '',
      'Opened by: `school`, `police`.',
      '',
      '| event | who may send it |',
      '|---|---|',
      '| `CLOSE` | police |',
      '',
      '```mermaid',
      'stateDiagram-v2',
      '  open',
      '  closed',
      '  [*] --> open',
      '  open --> closed : CLOSE',
      '  closed --> [*]',
      '```',
      '',
    ]);
  });

  it('indexes the pages with links', () => {
    expect(lines(machinesIndex([tiny]))).toEqual([
      GENERATED_MARKER,
      '# Case machines',
      '',
      'State diagrams of the case types, generated from their XState definitions under policy `changbai` 2016.39-1.',
      'Regenerate with `node dist/scripts/diagrams.js` after the build.',
      '',
      '| case type | title | machine version |',
      '|---|---|---|',
      '| [tiny-case](tiny-case.md) | 小 \\| tiny | 3 |',
      '',
    ]);
  });
});

/** Every state of the machine is declared, every permitted event labels a transition, every edge names a declared id. */
function expectCompleteDiagram(def: CaseDefinition): void {
  const drawn = lines(toMermaid(def.machine));
  const keys: string[] = [];
  const visit = (node: { key: string; states: Record<string, unknown> }) => {
    for (const child of Object.values(node.states ?? {}) as (typeof node)[]) {
      keys.push(child.key);
      visit(child);
    }
  };
  visit(def.machine.root);
  expect(keys.length).toBeGreaterThan(1);
  const declared = new Set(
    drawn.flatMap((l) => {
      const named = / as (\S+)$/.exec(l.trim()) ?? /^state (\S+) \{$/.exec(l.trim());
      if (named) return [named[1]];
      return /^[A-Za-z0-9_]+$/.test(l.trim()) ? [l.trim()] : [];
    }),
  );
  for (const key of keys) {
    expect(drawn.some((l) => l.trim() === key || l.trim() === `state ${key} {` || l.includes(`state "${key}" as `))).toBe(true);
  }
  const labels = drawn.filter((l) => l.includes(' --> ') && l.includes(' : ')).map((l) => l.split(' : ')[1].split(' [')[0]);
  for (const event of Object.keys(def.permissions.events)) expect(labels).toContain(event);
  for (const l of drawn.filter((x) => x.includes(' --> '))) {
    const [from, rest] = l.trim().split(' --> ');
    const to = rest.split(' : ')[0];
    for (const end of [from, to]) if (end !== '[*]') expect(declared).toContain(end);
  }
}

describe('the protection machines', () => {
  it('draws the mandatory report completely, its delays and guards by name', () => {
    const def = mandatoryReportDefinition(CHANGBAI_POLICY);
    expectCompleteDiagram(def);
    const text = toMermaid(def.machine);
    expect(text).toContain('awaitingAcceptance --> acceptanceOverdue : after reportAccept');
    expect(text).toContain(' : GIVE_FEEDBACK [hasSummary]');
    expect(text).toContain('\n    --\n');
  });

  it('draws every case type of protectionDefinitionsFor(CHANGBAI_POLICY) completely', () => {
    const definitions = protectionDefinitionsFor(CHANGBAI_POLICY);
    expect(definitions.length).toBeGreaterThan(0);
    for (const def of definitions) expectCompleteDiagram(def);
  });
});

describe('docs/machines', () => {
  it('matches the machines as they are now (run `npm run diagrams` after changing one)', () => {
    for (const def of protectionDefinitionsFor(CHANGBAI_POLICY)) {
      const onDisk = readFileSync(join(__dirname, '../../../docs/machines', diagramFileName(def)), 'utf8');
      expect(onDisk).toBe(machineMarkdown(def));
    }
  });
});
