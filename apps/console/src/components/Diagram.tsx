import { useMemo } from 'react';
import type { Definition } from '../api';
import { useI18n } from '../i18n';
import { deadlineLabel, eventLabel, stateKeyLabel } from '../labels';
import { Chart } from './Chart';

/** Every state path the case is in now: `{handling: {work: 'dispatched'}}` → handling, handling.work, handling.work.dispatched. */
export function activePaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') {
    const leaf = prefix ? `${prefix}.${value}` : value;
    return [...(prefix ? [prefix] : []), leaf];
  }
  if (value && typeof value === 'object') {
    return [...(prefix ? [prefix] : []), ...Object.entries(value).flatMap(([k, v]) => activePaths(v, prefix ? `${prefix}.${k}` : k))];
  }
  return [];
}

/**
 * The machine drawn from GET /definitions/:type (generated from the XState config on the server):
 * states laid out in columns by distance from the initial state, the current state(s) highlighted.
 */
export function Diagram({ def, stateValue }: { def: Definition; stateValue: unknown }) {
  const { lang } = useI18n();
  const option = useMemo(() => {
    const active = new Set(activePaths(stateValue));
    const { states, transitions } = def.graph;
    // Containment edges (a compound state to its initial child; a parallel state to each region) keep the picture connected.
    const contain = states.filter((s) => s.parent).map((s) => ({ source: s.parent!, target: s.id, event: '', label: '', contain: true }));
    const parentOf = new Map(states.map((s) => [s.id, s.parent]));
    const edges = [...transitions.filter((t) => t.source !== '').map((t) => ({ ...t, contain: false })), ...contain];
    const depth = new Map<string, number>();
    const start = def.graph.initial ?? states[0]?.id;
    const queue: string[] = [];
    if (start) {
      depth.set(start, 0);
      queue.push(start);
    }
    while (queue.length) {
      const id = queue.shift()!;
      for (const e of edges) {
        if (e.source !== id || depth.has(e.target)) continue;
        depth.set(e.target, depth.get(id)! + 1);
        queue.push(e.target);
      }
    }
    // Unreached states (entered only through an ancestor) sit one column after their parent.
    for (const s of states) if (!depth.has(s.id)) depth.set(s.id, (depth.get(parentOf.get(s.id) ?? '') ?? 0) + 1);
    const columns = new Map<number, string[]>();
    for (const s of states) columns.set(depth.get(s.id)!, [...(columns.get(depth.get(s.id)!) ?? []), s.id]);
    const pos = new Map<string, [number, number]>();
    for (const [d, ids] of columns) ids.forEach((id, i) => pos.set(id, [d * 190, (i - (ids.length - 1) / 2) * 70]));

    const label = (e: { event: string; label: string }) => {
      if (e.event.startsWith('after ')) return `${lang === 'zh' ? '超时' : 'after'} ${deadlineLabel(e.event.slice(6), lang)}`;
      if (e.event === 'always' || e.event === 'done') return e.event;
      return eventLabel(e.event, lang) + (e.label.includes('[') ? ' *' : '');
    };
    return {
      animation: false,
      tooltip: { formatter: (p: { dataType: string; data: { tip?: string } }) => p.data.tip ?? '' },
      series: [
        {
          type: 'graph',
          layout: 'none',
          roam: true,
          autoCurveness: true,
          edgeSymbol: ['none', 'arrow'],
          edgeSymbolSize: 8,
          data: states.map((s) => ({
            name: s.id,
            x: pos.get(s.id)![0],
            y: pos.get(s.id)![1],
            symbol: 'roundRect',
            symbolSize: [150, 34],
            tip: s.id,
            label: { show: true, formatter: stateKeyLabel(s.key, lang) + (s.type === 'final' ? ' ◉' : ''), color: active.has(s.id) ? '#fff' : '#333', fontSize: 12 },
            itemStyle: {
              color: active.has(s.id) ? '#c0392b' : s.type === 'compound' || s.type === 'parallel' ? '#f3e5e3' : '#f5f5f5',
              borderColor: active.has(s.id) ? '#7b241c' : '#bbb',
              borderWidth: 1,
              borderType: s.type === 'parallel' ? 'dashed' : 'solid',
            },
          })),
          links: edges.map((e) => ({
            source: e.source,
            target: e.target,
            tip: e.contain ? '' : `${e.label}`,
            label: { show: !e.contain, formatter: e.contain ? '' : label(e), fontSize: 10, color: '#555' },
            lineStyle: { type: e.contain ? 'dotted' : 'solid', color: e.contain ? '#ccc' : '#888', width: 1 },
          })),
        },
      ],
    };
  }, [def, stateValue, lang]);
  return <Chart option={option} height={360} testId="diagram" />;
}
