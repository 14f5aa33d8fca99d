import { useEffect, useMemo, useRef, useState } from 'react';
import type { Definition } from '../api';
import { useI18n } from '../i18n';
import { deadlineLabel, eventLabel, stateKeyLabel } from '../labels';
import { activePaths } from './active-paths';
import { Chart } from './Chart';

interface Edge { source: string; target: string; event: string; label: string; contain: boolean }

/**
 * Rows of the drawing: each state's distance from the initial state over the transitions and the
 * containment edges (a compound or parallel state to its children), which keep nested states connected.
 */
function layout(def: Definition): { edges: Edge[]; rows: string[][] } {
  const { states, transitions } = def.graph;
  const contain = states.filter((s) => s.parent).map((s) => ({ source: s.parent!, target: s.id, event: '', label: '', contain: true }));
  const edges: Edge[] = [...transitions.filter((t) => t.source !== '').map((t) => ({ ...t, contain: false })), ...contain];
  const parentOf = new Map(states.map((s) => [s.id, s.parent]));
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
  // Unreached states (entered only through an ancestor) sit one row below their parent.
  for (const s of states) if (!depth.has(s.id)) depth.set(s.id, (depth.get(parentOf.get(s.id) ?? '') ?? 0) + 1);
  const rows: string[][] = [];
  for (const s of states) (rows[depth.get(s.id)!] ??= []).push(s.id);
  return { edges, rows: rows.filter(Boolean) };
}

const ROW = 64;

/**
 * The machine drawn from GET /definitions/:type (generated on the server from the XState config):
 * top to bottom by distance from the initial state, in this container's own pixels so boxes never
 * overlap on a phone or a laptop; the current state(s) highlighted. Drag and zoom to look closer.
 */
export function Diagram({ def, stateValue }: { def: Definition; stateValue: unknown }) {
  const { lang } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  useEffect(() => {
    if (!box.current) return;
    const observer = new ResizeObserver(([entry]) => entry && setWidth(Math.max(280, Math.round(entry.contentRect.width))));
    observer.observe(box.current);
    return () => observer.disconnect();
  }, []);
  const { edges, rows } = useMemo(() => layout(def), [def]);

  const option = useMemo(() => {
    const active = new Set(activePaths(stateValue));
    const widest = Math.max(1, ...rows.map((r) => r.length));
    const slot = width / widest;
    const boxWidth = Math.max(56, Math.min(150, slot - 12));
    const pos = new Map<string, [number, number]>();
    rows.forEach((ids, d) => ids.forEach((id, i) => pos.set(id, [width / 2 + (i - (ids.length - 1) / 2) * slot, 30 + d * ROW])));
    const label = (e: Edge) => {
      if (e.event.startsWith('after ')) return `${lang === 'zh' ? '超时' : 'after'} ${deadlineLabel(e.event.slice(6), lang)}`;
      if (e.event === 'always' || e.event === 'done') return e.event;
      return eventLabel(e.event, lang) + (e.label.includes('[') ? ' *' : '');
    };
    return {
      animation: false,
      tooltip: { formatter: (p: { data: { tip?: string } }) => p.data.tip ?? '' },
      series: [
        {
          type: 'graph',
          layout: 'none',
          roam: true,
          // ECharts fits the boxes' centres into this rectangle: leave half a box at each side.
          left: boxWidth / 2 + 4,
          top: 22,
          width: Math.max(1, width - boxWidth - 8),
          height: Math.max(1, (rows.length - 1) * ROW),
          autoCurveness: true,
          edgeSymbol: ['none', 'arrow'],
          edgeSymbolSize: 7,
          data: def.graph.states.map((s) => ({
            name: s.id,
            x: pos.get(s.id)![0],
            y: pos.get(s.id)![1],
            symbol: 'roundRect',
            symbolSize: [boxWidth, 28],
            tip: s.id,
            label: { show: true, formatter: stateKeyLabel(s.key, lang) + (s.type === 'final' ? ' ◉' : ''), color: active.has(s.id) ? '#fff' : '#333', fontSize: 11, width: boxWidth - 6, overflow: 'truncate' },
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
            tip: e.contain ? '' : e.label,
            label: { show: !e.contain, formatter: e.contain ? '' : label(e), fontSize: 10, color: '#666' },
            lineStyle: { type: e.contain ? 'dotted' : 'solid', color: e.contain ? '#ccc' : '#999', width: 1 },
          })),
        },
      ],
    };
  }, [def, stateValue, lang, width, rows, edges]);
  return (
    <div ref={box}>
      <Chart option={option} height={44 + (rows.length - 1) * ROW} testId="diagram" />
    </div>
  );
}
