import ExcelJS from 'exceljs';
import { CHANGBAI_POLICY, protectionDefinitionsFor, toMermaid } from '#shouhu/protection';
import { TOKENS, waitFor } from '../support/stack';
import type { ConsoleStack } from './support';

/*
 * What the console reads beyond the cases, over HTTP on the built stack: who am I, the machines as
 * data, the county dashboard (scoped by jurisdiction) and its CSV / XLSX export, and the page itself
 * served at /console/ without touching /api/v1, /docs or /health. Escalations come from quarterly
 * returns opened for a past quarter (overdue, hence escalated, the moment they open).
 */
export const API_PEOPLE = [
  { userId: 'office-park', userName: '朴主任', unitId: 'changbai-joint-office', role: 'office', token: 'tok-office' },
  { userId: 'town-yang', userName: '杨镇长', unitId: 'maluguo-town', role: 'township', token: 'tok-township-maluguo' },
];
const T = { ...TOKENS, office: 'tok-office', township: 'tok-township-maluguo' };

export function consoleApiSuite(current: () => ConsoleStack): void {
  const call = (method: string, path: string, token: string | null, body?: unknown) => current().client.call(method, path, token, body);

  async function send(token: string, id: string, type: string, payload: Record<string, unknown> = {}) {
    const res = await call('POST', `/cases/${id}/events`, token, { type, payload });
    if (res.status !== 200) throw new Error(`${type} -> ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  describe('GET /me', () => {
    it('names the person, role, unit and area behind the token', async () => {
      const me = await call('GET', '/me', T.police);
      expect(me.status).toBe(200);
      expect(me.body).toEqual({
        user: { id: 'officer-wang', name: '王警官' },
        role: 'police',
        unit: { id: 'maluguo-police', name: '马鹿沟派出所', kind: 'police_station' },
        jurisdictionPath: 'changbai/maluguo',
        county: 'changbai',
        township: 'maluguo',
      });
      expect((await call('GET', '/me', T.office)).body).toMatchObject({ role: 'office', township: null, jurisdictionPath: 'changbai' });
    });

    it('answers 401 without a token or with an unknown one', async () => {
      expect((await call('GET', '/me', null)).status).toBe(401);
      expect((await call('GET', '/me', 'not-a-token')).status).toBe(401);
    });
  });

  describe('GET /definitions/:type', () => {
    it('gives the machine as states and transitions, generated from the running definition', async () => {
      const list = await call('GET', '/definitions', T.civilAffairs);
      expect(list.status).toBe(200);
      expect(list.body.map((d: { type: string }) => d.type)).toEqual(expect.arrayContaining(['mandatory-report', 'emergency', 'assessment', 'dropout-return']));

      const res = await call('GET', '/definitions/mandatory-report', T.police);
      expect(res.status).toBe(200);
      const ids = res.body.graph.states.map((s: { id: string }) => s.id);
      expect(ids).toEqual(expect.arrayContaining(['awaitingAcceptance', 'acceptanceOverdue', 'handling', 'handling.work.awaitingDispatch', 'handling.feedback.feedbackGiven', 'concluded']));
      expect(res.body.graph.initial).toBe('awaitingAcceptance');
      expect(res.body.graph.states.find((s: { id: string }) => s.id === 'handling')).toMatchObject({ type: 'parallel', parent: null });
      expect(res.body.graph.transitions).toEqual(
        expect.arrayContaining([
          { source: 'awaitingAcceptance', target: 'handling', event: 'ACCEPT', label: 'ACCEPT' },
          { source: 'awaitingAcceptance', target: 'acceptanceOverdue', event: 'after reportAccept', label: 'after reportAccept' },
          { source: 'handling.feedback.awaitingFeedback', target: 'handling.feedback.feedbackGiven', event: 'GIVE_FEEDBACK', label: 'GIVE_FEEDBACK [hasSummary]' },
        ]),
      );
      expect(res.body.permissions.events.ACCEPT).toEqual(['police']);
      // The same text docs/machines shows: one generator, so the drawing cannot drift from what runs.
      const def = protectionDefinitionsFor(CHANGBAI_POLICY).find((d) => d.id === 'mandatory-report')!;
      expect(res.body.mermaid).toBe(toMermaid(def.machine));
    });

    it('answers 404 for an unknown type or version and 400 for a malformed one', async () => {
      expect((await call('GET', '/definitions/no-such-type', T.police)).status).toBe(404);
      expect((await call('GET', '/definitions/mandatory-report?version=99', T.police)).status).toBe(404);
      const bad = await call('GET', '/definitions/Bad_Type', T.police);
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe('type');
    });
  });

  describe('GET /dashboard and its export', () => {
    beforeAll(async () => {
      const file = (childId: string, township: string) =>
        call('POST', '/reports', T.school, { child: { childId, township }, triggers: ['ALONE_NO_GUARDIAN'], description: '孩子独自在家' });
      expect((await file('c-9001', 'maluguo')).status).toBe(201);
      expect((await file('c-9002', 'jinhua')).status).toBe(201);
      // Quarterly returns: a past quarter (every township overdue, maluguo files late) and a quarter in progress (maluguo on time).
      const year = new Date().getFullYear();
      const past = `${year - 1}-Q4`;
      const now = `${year}-Q${Math.floor(new Date().getMonth() / 3) + 1}`;
      for (const quarter of [past, now]) expect((await call('POST', '/registry/quarterly-returns', T.civilAffairs, { quarter })).status).toBe(201);
      const returns = (await call('GET', '/cases?type=quarterly-return&limit=100', T.township)).body.items as { id: string; data: { quarter: string } }[];
      const figures = { newCount: 2, changedCount: 1, noLongerLeftBehind: 0, moved: 0 };
      for (const r of returns) await send(T.township, r.id, 'FILE_RETURN', figures);
    });

    it('counts open cases per type and township, overdue work per unit, escalations this month and returns', async () => {
      const res = await call('GET', '/dashboard', T.office);
      expect(res.status).toBe(200);
      const d = res.body;
      expect(d.scope).toBe('changbai');
      expect(d.openCases).toEqual(expect.arrayContaining([
        { type: 'mandatory-report', township: 'maluguo', count: 1 },
        { type: 'mandatory-report', township: 'jinhua', count: 1 },
      ]));
      // The seven townships that have not filed the past quarter's return: each government owes it.
      expect(d.overdueByUnit).toEqual(expect.arrayContaining([{ unitId: 'jinhua-town', unitName: '金华乡人民政府', unitKind: 'township_government', cases: 1 }]));
      expect(d.overdueByUnit.map((r: { unitId: string }) => r.unitId)).not.toContain('maluguo-town');
      // Every township's return for the past quarter was overdue when it opened: eight escalations (one
      // escalation event each, however many units its chain tells).
      await waitFor('the escalations', async () => (await call('GET', '/dashboard', T.office)).body.escalations.total === 8);
      expect((await call('GET', '/dashboard', T.office)).body.escalations.byChain).toEqual([{ chain: 'quarterlyReturn', count: 8 }]);
      const year = new Date().getFullYear();
      const past = d.quarterlyReturns.quarters.find((q: { quarter: string }) => q.quarter === `${year - 1}-Q4`);
      expect(past).toEqual({ quarter: `${year - 1}-Q4`, onTime: 0, late: 1, overdue: 7, pending: 0 });
      const current = d.quarterlyReturns.quarters.find((q: { quarter: string }) => q.quarter !== `${year - 1}-Q4`);
      expect(current).toMatchObject({ onTime: 1, late: 0 });
      expect(d.quarterlyReturns.rows).toEqual(expect.arrayContaining([expect.objectContaining({ quarter: `${year - 1}-Q4`, township: 'maluguo', status: 'late', filedAt: expect.any(String) })]));
    });

    it('shows a township police station only its own area', async () => {
      const d = (await call('GET', '/dashboard', T.police)).body;
      expect(d.scope).toBe('changbai/maluguo');
      expect(d.openCases.map((r: { township: string }) => r.township)).not.toContain('jinhua');
      expect(d.openCases).toEqual(expect.arrayContaining([{ type: 'mandatory-report', township: 'maluguo', count: 1 }]));
      expect(d.quarterlyReturns.rows.every((r: { township: string }) => r.township === 'maluguo')).toBe(true);
      // Its own township's overdue return only.
      expect(d.escalations.byChain).toEqual([{ chain: 'quarterlyReturn', count: 1 }]);
    });

    it('exports the same figures as CSV and as an XLSX workbook', async () => {
      const csv = await fetch(`${current().baseUrl}/api/v1/dashboard/export?format=csv`, { headers: { authorization: `Bearer ${T.office}` } });
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toContain('text/csv');
      expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="shouhu-dashboard-\d{4}-\d{2}-\d{2}\.csv"/);
      const text = await csv.text();
      expect(text).toContain('open-cases,mandatory-report,jinhua,1');
      expect(text).toContain('overdue-by-unit,jinhua-town,金华乡人民政府,1');

      const xlsx = await fetch(`${current().baseUrl}/api/v1/dashboard/export?format=xlsx`, { headers: { authorization: `Bearer ${T.office}` } });
      expect(xlsx.status).toBe(200);
      expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
      const book = new ExcelJS.Workbook();
      await book.xlsx.load((await xlsx.arrayBuffer()) as never);
      expect(book.worksheets.map((s) => s.name)).toEqual(['open-cases', 'overdue-by-unit', 'escalations', 'quarterly-returns']);
      const open = book.getWorksheet('open-cases')!;
      const rows = open.getSheetValues().slice(2).map((r) => (r as unknown[]).slice(1));
      expect(rows).toEqual(expect.arrayContaining([['mandatory-report', 'maluguo', 1]]));

      expect((await call('GET', '/dashboard/export?format=pdf', T.office)).status).toBe(400);
      expect((await call('GET', '/dashboard', null)).status).toBe(401);
    });
  });

  describe('the page at /console/', () => {
    it('is served on the API origin with an index.html fallback, leaving the API, docs and health alone', async () => {
      const root = await fetch(`${current().baseUrl}/`, { redirect: 'manual' });
      expect(root.status).toBe(302);
      expect(root.headers.get('location')).toBe('/console/');
      const page = await fetch(`${current().baseUrl}/console/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('<div id="root">');
      const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script).toBeDefined();
      const js = await fetch(`${current().baseUrl}${script}`);
      expect(js.status).toBe(200);
      expect(js.headers.get('cache-control')).toContain('immutable');
      const deep = await fetch(`${current().baseUrl}/console/cases/00000000-0000-4000-8000-000000000000`);
      expect(deep.status).toBe(200);
      expect(await deep.text()).toBe(html);
      expect(deep.headers.get('cache-control')).toBe('no-cache');
      expect(await (await fetch(`${current().baseUrl}/console/assets/no-such-file.js`)).text()).toBe(html);
      expect((await fetch(`${current().baseUrl}/console`, { redirect: 'manual' })).headers.get('location')).toBe('/console/');

      expect((await call('GET', '/health', null)).status).toBe(200);
      const unknown = await call('GET', '/no-such-route', T.police);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ error: 'not_found' });
      expect((await fetch(`${current().baseUrl}/docs`)).status).toBe(200);
    });
  });
}
