import { randomUUID } from 'node:crypto';
import { ManualClock } from '#shouhu/engine';
import { DeliveryService } from '#shouhu/notify';
import { Database } from '#shouhu/persistence';

/*
 * Embedded mode (PGlite) runs the same migration and the same delivery SQL: channels, idempotent
 * creation per outbox row and channel, the send view joined with the inbox, attempts, the dead letters.
 */
jest.setTimeout(60_000);

let db: Database;
const clock = new ManualClock('2026-03-02T09:00:00+08:00');

beforeAll(async () => {
  db = await Database.open({ kind: 'pglite', dataDir: null });
  await db.migrate();
});

afterAll(async () => {
  await db?.close();
});

it('creates deliveries once per outbox row and channel and records attempts up to dead', async () => {
  const em = db.em();
  const caseId = randomUUID();
  const outboxId = randomUUID();
  await em.execute(`insert into units (id, name, kind, jurisdiction_path) values ('u1', 'U1', 'test', 'c/t'), ('u2', 'U2', 'test', 'c/t')`);
  await em.execute(
    `insert into cases (id, type, machine_id, machine_version, policy_version, owner_unit_id, jurisdiction_path, subject, data, snapshot,
       state_value, state, status, version, last_seq, created_by, created_at, updated_at)
     values (?, 'kernel-deadline', 'kernel-deadline', 1, 'p1', 'u1', 'c/t', '{}', '{}', '{}', '"overdue"', 'overdue', 'active', 2, 2, 'system', now(), now())`,
    [caseId],
  );
  await em.execute(`insert into outbox (id, case_id, seq, action, params, meta, status, attempts, created_at) values (?, ?, 2, 'notify', '{}', '{}', 'pending', 0, now())`, [outboxId, caseId]);
  await em.execute(`insert into inbox (id, unit_id, case_id, outbox_id, reason, deadline, payload, created_at) values (?, 'u1', ?, ?, 'late', ?, ?, now())`, [
    randomUUID(), caseId, outboxId, new Date('2026-03-05T09:00:00+08:00'), JSON.stringify({ caseType: 'kernel-deadline', state: 'overdue' }),
  ]);

  const deliveries = new DeliveryService(db, clock);
  const hook = await deliveries.addChannel('u1', 'webhook', 'http://127.0.0.1:9/hook', 'whsec-pglite-0123456789');
  const again = await deliveries.addChannel('u1', 'webhook', 'http://127.0.0.1:9/hook', 'whsec-pglite-rotated-0000');
  expect(again.id).toBe(hook.id); // the same target again: one channel, new secret
  await deliveries.addChannel('u2', 'email', 'duty@u2.example');

  const first = await deliveries.createForOutbox(outboxId, caseId, ['u1']);
  const second = await deliveries.createForOutbox(outboxId, caseId, ['u1']);
  expect(first.created).toBe(1);
  expect(second).toEqual({ created: 0, pending: first.pending });

  const toSend = await deliveries.loadForSend(first.pending[0]!);
  expect(toSend).toMatchObject({
    kind: 'webhook',
    status: 'pending',
    channel: { id: hook.id, secret: 'whsec-pglite-rotated-0000', active: true },
    notification: { caseId, caseType: 'kernel-deadline', unitId: 'u1', reason: 'late', state: 'overdue', deadline: new Date('2026-03-05T09:00:00+08:00') },
  });

  const id = first.pending[0]!;
  expect(await deliveries.beginAttempt(id)).toBe(true);
  await deliveries.markFailed(id, 'HTTP 503', 503, false);
  clock.advance(60_000);
  expect(await deliveries.beginAttempt(id)).toBe(true);
  await deliveries.markFailed(id, 'HTTP 503', 503, true);
  expect(await deliveries.beginAttempt(id)).toBe(false); // dead: never tried again
  expect(await deliveries.listForCase(caseId)).toEqual([
    expect.objectContaining({ id, status: 'dead', attempts: 2, lastStatusCode: 503, lastError: 'HTTP 503', lastAttemptAt: '2026-03-02T09:01:00.000+08:00' }),
  ]);
  expect((await deliveries.deadLetters(10)).map((d) => [d.id, d.target])).toEqual([[id, 'http://127.0.0.1:9/hook']]);
  expect(await deliveries.pendingIds(clock.now(), null, 10)).toEqual([]);
});
