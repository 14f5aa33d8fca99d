import { verifyChain } from '#shouhu/engine';
import { TOKENS } from '../support/stack';
import { historyOf, type ReliabilityStack, startReliabilityStack } from './support/reliability-stack';

/*
 * Races on one case over HTTP against the real API and PostgreSQL. The API promises (README, "The
 * API"): a stale `expectedVersion` or a writer that lost a race gets 409 and writes nothing; without
 * `expectedVersion` each event is applied to the state it finds, one at a time — never two writers
 * on the same version, never a lost update.
 */
jest.setTimeout(120_000);

const WRITERS = 50;
let stack: ReliabilityStack;

beforeAll(async () => {
  stack = await startReliabilityStack('race');
});

afterAll(async () => {
  await stack?.stop();
});

async function openKernelCase(): Promise<{ id: string; version: number }> {
  const res = await stack.client.call('POST', '/cases', TOKENS.school, { type: 'kernel-deadline', subject: { childId: 'c-race' }, ownerUnitId: 'maluguo-police' });
  expect(res.status).toBe(201);
  return res.body;
}

async function caseRow(id: string) {
  const [row] = await stack.rows('select version, last_seq, last_hash, state, snapshot from cases where id = $1', [id]);
  return row!;
}

/** The whole chain verifies, the case head points at its last row, and its version counts the rows. */
async function expectConsistentHistory(id: string, rows: number) {
  const history = await historyOf(stack, id);
  expect(history).toHaveLength(rows);
  expect(verifyChain(history)).toEqual({ valid: true });
  const row = await caseRow(id);
  expect({ version: row.version, lastSeq: row.last_seq, lastHash: row.last_hash }).toEqual({ version: rows, lastSeq: rows, lastHash: history.at(-1)!.hash });
  const api = await stack.client.call('GET', `/cases/${id}/history`, TOKENS.police);
  expect(api.body.verification).toEqual({ valid: true });
  return history;
}

const send = (id: string, body: Record<string, unknown>, token: string = TOKENS.police) =>
  stack.client.call('POST', `/cases/${id}/events`, token, body);

it(`${WRITERS} concurrent events with the same expectedVersion: exactly one 200, ${WRITERS - 1} × 409, one new history row`, async () => {
  const opened = await openKernelCase();
  const results = await Promise.all(
    Array.from({ length: WRITERS }, (_, i) => send(opened.id, { type: 'NOTE', payload: { text: `note ${i}` }, expectedVersion: opened.version })),
  );
  const winners = results.filter((r) => r.status === 200);
  expect(winners).toHaveLength(1);
  expect(results.filter((r) => r.status === 409)).toHaveLength(WRITERS - 1);
  for (const loser of results.filter((r) => r.status === 409)) expect(loser.body).toMatchObject({ error: 'conflict', message: expect.any(String) });
  const history = await expectConsistentHistory(opened.id, 2);
  expect(history[1]).toMatchObject({ eventType: 'NOTE', payload: { text: expect.stringMatching(/^note \d+$/) } });
  expect(winners[0]!.body.version).toBe(opened.version + 1);
  // The one note that won is the one in the machine's context.
  expect((await caseRow(opened.id)).snapshot.context.notes).toEqual([(history[1]!.payload as { text: string }).text]);
});

it(`${WRITERS} concurrent ACCEPTs without expectedVersion: exactly one moves the case, the rest 409 (lost the race) or 422 (already accepted)`, async () => {
  const opened = await openKernelCase();
  const results = await Promise.all(Array.from({ length: WRITERS }, () => send(opened.id, { type: 'ACCEPT' })));
  const statuses = results.map((r) => r.status);
  expect(statuses.filter((s) => s === 200)).toHaveLength(1);
  expect(statuses.filter((s) => s !== 200 && s !== 409 && s !== 422)).toEqual([]);
  for (const r of results.filter((x) => x.status === 422)) expect(r.body).toMatchObject({ error: 'unprocessable', state: 'accepted' });
  const history = await expectConsistentHistory(opened.id, 2);
  expect(history.map((h) => [h.eventType, h.fromState, h.toState])).toEqual([
    ['case.opened', null, 'awaitingAcceptance'],
    ['ACCEPT', 'awaitingAcceptance', 'accepted'],
  ]);
});

it(`${WRITERS} concurrent NOTEs without expectedVersion are serialized: every 200 is one history row, versions consecutive, no lost note`, async () => {
  const opened = await openKernelCase();
  const results = await Promise.all(
    Array.from({ length: WRITERS }, (_, i) => send(opened.id, { type: 'NOTE', payload: { text: `free ${i}` } }, i % 2 ? TOKENS.police : TOKENS.civilAffairs)),
  );
  const ok = results.filter((r) => r.status === 200);
  expect(results.filter((r) => r.status !== 200 && r.status !== 409).map((r) => r.status)).toEqual([]);
  expect(ok.length).toBeGreaterThanOrEqual(1);
  // Each success answered with a distinct version: no two writers committed on the same one.
  const versions = ok.map((r) => r.body.version as number).sort((a, b) => a - b);
  expect(versions).toEqual(Array.from({ length: ok.length }, (_, i) => opened.version + 1 + i));
  const history = await expectConsistentHistory(opened.id, 1 + ok.length);
  const written = history.slice(1).map((h) => (h.payload as { text: string }).text);
  expect(new Set(written).size).toBe(ok.length);
  // No lost update: the context holds exactly the notes of the history, in its order.
  expect((await caseRow(opened.id)).snapshot.context.notes).toEqual(written);
});

it(`${WRITERS} concurrent events spread over ${WRITERS / 5} versions: at most one winner per version`, async () => {
  const opened = await openKernelCase();
  // Writers claim versions 1..10 at once; only version 1 is current, so exactly one of its five wins,
  // and a later version can only win after the case has reached it.
  const results = await Promise.all(
    Array.from({ length: WRITERS }, (_, i) => send(opened.id, { type: 'NOTE', payload: { text: `v${1 + (i % 10)}-${i}` }, expectedVersion: 1 + (i % 10) })),
  );
  const ok = results.filter((r) => r.status === 200);
  expect(results.filter((r) => r.status !== 200 && r.status !== 409).map((r) => r.status)).toEqual([]);
  const history = await expectConsistentHistory(opened.id, 1 + ok.length);
  const claimed = history.slice(1).map((h) => Number(/^v(\d+)-/.exec((h.payload as { text: string }).text)![1]));
  // The row at seq n+1 was written by a writer that expected version n.
  expect(claimed).toEqual(claimed.map((_, i) => i + 1));
});

it(`${WRITERS} concurrent ACCEPTs of a mandatory report at the same version: one wins, its timers alone are written`, async () => {
  const filed = await stack.client.call('POST', '/reports', TOKENS.school, { child: { childId: 'c-race-r', township: 'maluguo' }, triggers: ['ALONE_NO_GUARDIAN'], description: 'race' });
  expect(filed.status).toBe(201);
  const id = filed.body.id as string;
  const before = await stack.rows('select count(*)::int as n from outbox where case_id = $1', [id]);
  const results = await Promise.all(Array.from({ length: WRITERS }, () => send(id, { type: 'ACCEPT', expectedVersion: 1 })));
  expect(results.filter((r) => r.status === 200)).toHaveLength(1);
  expect(results.filter((r) => r.status === 409)).toHaveLength(WRITERS - 1);
  await expectConsistentHistory(id, 2);
  // The acceptance deadline cancelled once; the dispatch and feedback deadlines armed once; the reporter told once.
  const timers = await stack.rows('select name, status, created_seq from timers where case_id = $1 order by created_seq, name', [id]);
  expect(timers.map((t) => [t.name, t.status, t.created_seq])).toEqual([
    ['reportAccept', 'cancelled', 1],
    ['dispatch', 'pending', 2],
    ['reportFeedback', 'pending', 2],
  ]);
  const outbox = await stack.rows('select seq from outbox where case_id = $1 and seq = 2', [id]);
  expect(outbox).toHaveLength(1);
  expect((await stack.rows('select count(*)::int as n from outbox where case_id = $1', [id]))[0]!.n).toBe(before[0]!.n + 1);
});
