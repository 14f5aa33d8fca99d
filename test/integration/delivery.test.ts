import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Job, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { DirectoryService, ResponsibleUnitResolver } from '#shouhu/directory';
import { BadRequestError, deliveryJobId, type DeliveryJobData, QUEUES, SystemClock } from '#shouhu/engine';
import { DeliveryQueue, DeliveryService, EmailSender, InboxService, NotifyEffectHandler, NO_SMTP_ERROR, verifyWebhookSignature, WebhookSender } from '#shouhu/notify';
import { Database, SqlCaseStore, SqlDispatchStore } from '#shouhu/persistence';
import { DeliveryProcessor } from '../../apps/worker/src/delivery/delivery.processor';
import { DeliveryReconciler } from '../../apps/worker/src/delivery/delivery.reconciler';
import { createTestDatabase, freePort, prepareDatabase, REDIS_URL, waitFor } from '../support/stack';

/*
 * Unit channels against the real PostgreSQL and Redis, a local HTTP receiver and a local SMTP sink
 * (all on 127.0.0.1): the notify effect records one delivery per active channel and the delivery
 * worker (a real BullMQ worker) sends it once — signed, retried with backoff, dead-lettered at last.
 */
jest.setTimeout(60_000);

const SECRET = 'whsec-0123456789abcdef';
const ATTEMPTS = 4;
type Hit = { path: string; headers: Record<string, string | string[] | undefined>; body: string };
type Mail = { to: string[]; raw: string };

let pg: { url: string; drop: () => Promise<void> };
let db: Database;
let sql: Client;
let http: Server;
let smtp: SMTPServer;
let base: string;
let smtpUrl: string;
let producer: IORedis;
let consumer: IORedis;
let queue: DeliveryQueue;
let worker: Worker<DeliveryJobData>;
let deliveries: DeliveryService;
let handler: NotifyEffectHandler;
let processor: DeliveryProcessor;
const prefix = `it-delivery-${randomBytes(4).toString('hex')}`;
const hits: Hit[] = [];
const mails: Mail[] = [];
const results: { jobId?: string; result: string }[] = [];
const flaky = new Map<string, number>();
const clock = new SystemClock();
const deps = () => ({ cases: new SqlCaseStore(db), outbox: new SqlDispatchStore(db) });
/** The notify effect with a queue that loses every job (Redis gone): the rows are still written. */
const handlerLosingJobs = () =>
  new NotifyEffectHandler(new ResponsibleUnitResolver(new DirectoryService(db)), new InboxService(db, clock), { deliveries, queue: { enqueue: async () => undefined } });

/** `/ok/*` answers 204, `/flaky/*` 500 twice then 200, `/down/*` always 500. */
function receive(path: string): number {
  if (path.startsWith('/down/')) return 500;
  if (path.startsWith('/flaky/')) {
    const n = (flaky.get(path) ?? 0) + 1;
    flaky.set(path, n);
    return n <= 2 ? 500 : 200;
  }
  return 204;
}

async function addUnit(parentId = 'maluguo-police'): Promise<string> {
  const id = `u-${randomBytes(3).toString('hex')}`;
  await sql.query(`insert into units (id, name, kind, parent_id, jurisdiction_path) values ($1, $1, 'test', $2, 'changbai/maluguo')`, [id, parentId]);
  return id;
}

/** A case that went overdue and its `notify` outbox row, as the engine would have written them. */
async function overdueCase(ownerUnitId: string, to: string | string[] = 'owner') {
  const caseId = randomUUID();
  const outboxId = randomUUID();
  const dueAt = '2026-03-02T09:00:02.000+08:00';
  await sql.query(
    `insert into cases (id, type, machine_id, machine_version, policy_version, owner_unit_id, jurisdiction_path, subject, data, snapshot,
       state_value, state, status, version, last_seq, created_by, created_at, updated_at)
     values ($1, 'kernel-deadline', 'kernel-deadline', 1, 'p1', $2, 'changbai/maluguo', '{}', '{}', '{}', '"overdue"', 'overdue', 'active', 2, 2, 'system', now(), now())`,
    [caseId, ownerUnitId],
  );
  await sql.query(
    `insert into outbox (id, case_id, seq, action, params, meta, status, attempts, created_at) values ($1, $2, 2, 'notify', $3, $4, 'pending', 0, now())`,
    [outboxId, caseId, { to, reason: 'not accepted within the deadline' }, { state: 'overdue', firedDeadline: { name: 'acceptDeadline', dueAt } }],
  );
  const caseRow = (await deps().cases.findCase(caseId))!;
  const effect = (await deps().outbox.findOutbox(outboxId))!;
  return { caseId, caseRow, effect, dueAt, run: () => handler.handle(effect, caseRow) };
}

/** Until the queue is empty (nothing waiting, delayed or running), then a moment for anything doubled to show. */
async function settled(): Promise<void> {
  await waitFor('the delivery queue to drain', async () => {
    const c = await queue.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(c).every((n) => n === 0);
  });
  await new Promise((r) => setTimeout(r, 300));
}

const statusOf = async (caseId: string, want: string) =>
  waitFor(`deliveries of ${caseId} to be ${want}`, async () => {
    const list = await deliveries.listForCase(caseId);
    return list.length > 0 && list.every((d) => d.status === want) && list;
  });

function mailText(raw: string): string {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n');
  if (/content-transfer-encoding:\s*base64/i.test(head!)) return Buffer.from(body, 'base64').toString('utf8');
  if (!/content-transfer-encoding:\s*quoted-printable/i.test(head!)) return body;
  const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => `%${h}`);
  return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
}

beforeAll(async () => {
  pg = await createTestDatabase('delivery');
  await prepareDatabase(pg.url);
  db = await Database.open({ kind: 'postgres', url: pg.url });
  sql = new Client({ connectionString: pg.url });
  await sql.connect();

  http = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(receive(req.url ?? '')).end();
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        done();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;

  deliveries = new DeliveryService(db, clock);
  producer = new IORedis(REDIS_URL, { maxRetriesPerRequest: 3 });
  consumer = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  queue = new DeliveryQueue(producer, prefix, { attempts: ATTEMPTS, backoffMs: 50 });
  processor = new DeliveryProcessor(deliveries, { webhook: new WebhookSender(2000), email: new EmailSender({ smtpUrl, smtpTimeoutMs: 5000 }) }, clock);
  worker = new Worker<DeliveryJobData>(QUEUES.deliveries, (job) => processor.process(job), { connection: consumer, prefix, concurrency: 4 });
  worker.on('completed', (job, result: string) => results.push({ jobId: job.id, result }));
  handler = new NotifyEffectHandler(new ResponsibleUnitResolver(new DirectoryService(db)), new InboxService(db, clock), { deliveries, queue });
});

afterAll(async () => {
  await worker?.close();
  processor?.close();
  await queue?.close();
  const keys = await producer.keys(`${prefix}:*`);
  if (keys.length) await producer.del(...keys);
  producer?.disconnect();
  consumer?.disconnect();
  await new Promise((r) => http?.close(r));
  await new Promise((r) => smtp?.close(() => r(undefined)));
  await sql?.end();
  await db?.close();
  await pg?.drop();
});

it('routes a notification to every active channel of each unit: one signed POST, one e-mail', async () => {
  const parent = await addUnit();
  const owner = await addUnit(parent);
  await deliveries.addChannel(owner, 'webhook', `${base}/ok/${owner}`, SECRET);
  const off = await deliveries.addChannel(owner, 'webhook', `${base}/ok/${owner}-off`, SECRET);
  await deliveries.deactivateChannel(off.id);
  await deliveries.addChannel(parent, 'email', `duty@${parent}.example`);
  const c = await overdueCase(owner, ['owner', 'parent']);
  await c.run();

  const list = await statusOf(c.caseId, 'delivered');
  expect(list.map((d) => [d.unitId, d.kind, d.attempts, d.lastStatusCode]).sort()).toEqual([[owner, 'webhook', 1, 204], [parent, 'email', 1, 250]].sort());
  expect(JSON.stringify(list)).not.toContain(SECRET);
  expect(JSON.stringify(await deliveries.listChannels(owner))).not.toContain(SECRET);

  const webhook = list.find((d) => d.kind === 'webhook')!;
  const posts = hits.filter((h) => h.path.startsWith(`/ok/${owner}`));
  expect(posts).toHaveLength(1);
  const { headers, body } = posts[0]!;
  expect(headers['x-shouhu-delivery']).toBe(webhook.id);
  expect(verifyWebhookSignature(SECRET, headers['x-shouhu-timestamp'] as string, body, headers['x-shouhu-signature'] as string)).toBe(true);
  expect(verifyWebhookSignature('another-secret-0000', headers['x-shouhu-timestamp'] as string, body, headers['x-shouhu-signature'] as string)).toBe(false);
  expect(verifyWebhookSignature(SECRET, headers['x-shouhu-timestamp'] as string, body + ' ', headers['x-shouhu-signature'] as string)).toBe(false);
  expect(JSON.parse(body)).toEqual({
    deliveryId: webhook.id,
    notification: { caseId: c.caseId, caseType: 'kernel-deadline', unitId: owner, reason: 'not accepted within the deadline', deadline: c.dueAt, state: 'overdue' },
    sentAt: expect.stringMatching(/\+08:00$/),
  });

  const mail = mails.filter((m) => m.to.includes(`duty@${parent}.example`));
  expect(mail).toHaveLength(1);
  const email = list.find((d) => d.kind === 'email')!;
  expect(mail[0]!.raw).toMatch(new RegExp(`X-Shouhu-Delivery: ${email.id}`, 'i'));
  const text = mailText(mail[0]!.raw);
  expect(text).toContain(`案件编号：${c.caseId}`);
  expect(text).toContain(`Case: ${c.caseId}`);
  expect(text).toContain('Reason: not accepted within the deadline');
  expect(text).toContain(`Deadline: ${c.dueAt}`);
  expect(text).toContain('期限：2026年3月2日 09:00（北京时间）');
});

it('the same effect run twice (concurrently, then again later) makes no second delivery, POST or inbox row', async () => {
  const owner = await addUnit();
  await deliveries.addChannel(owner, 'webhook', `${base}/ok/${owner}`, SECRET);
  const c = await overdueCase(owner);
  await Promise.all([c.run(), c.run()]);
  await statusOf(c.caseId, 'delivered');
  await c.run();
  await settled();
  expect(hits.filter((h) => h.path === `/ok/${owner}`)).toHaveLength(1);
  expect((await sql.query('select count(*)::int as n from deliveries where case_id = $1', [c.caseId])).rows).toEqual([{ n: 1 }]);
  expect((await sql.query('select count(*)::int as n from inbox where case_id = $1', [c.caseId])).rows).toEqual([{ n: 1 }]);
});

it('a receiver answering 500 twice, then 200: delivered on the third attempt, each POST signed', async () => {
  const owner = await addUnit();
  await deliveries.addChannel(owner, 'webhook', `${base}/flaky/${owner}`, SECRET);
  const c = await overdueCase(owner);
  await c.run();
  const [d] = await statusOf(c.caseId, 'delivered');
  expect(d).toMatchObject({ attempts: 3, lastStatusCode: 200, lastError: null });
  const posts = hits.filter((h) => h.path === `/flaky/${owner}`);
  expect(posts).toHaveLength(3);
  for (const p of posts) {
    expect(p.headers['x-shouhu-delivery']).toBe(d!.id);
    expect(verifyWebhookSignature(SECRET, p.headers['x-shouhu-timestamp'] as string, p.body, p.headers['x-shouhu-signature'] as string)).toBe(true);
  }
});

it('a receiver always failing (500, or refusing connections): dead after the last attempt, in deadLetters()', async () => {
  const owner = await addUnit();
  await deliveries.addChannel(owner, 'webhook', `${base}/down/${owner}`, SECRET);
  await deliveries.addChannel(owner, 'webhook', `http://127.0.0.1:${await freePort()}/refused`, SECRET);
  const c = await overdueCase(owner);
  await c.run();
  const list = await statusOf(c.caseId, 'dead');
  expect(list.map((d) => d.attempts)).toEqual([ATTEMPTS, ATTEMPTS]);
  expect(hits.filter((h) => h.path === `/down/${owner}`)).toHaveLength(ATTEMPTS);
  const down = list.find((d) => d.lastStatusCode === 500)!;
  expect(down.lastError).toBe('HTTP 500');
  const refused = list.find((d) => d.id !== down.id)!;
  expect(refused).toMatchObject({ lastStatusCode: null, lastError: expect.stringContaining('ECONNREFUSED') });

  const dead = (await deliveries.deadLetters(50)).filter((d) => d.caseId === c.caseId);
  expect(dead.map((d) => d.id).sort()).toEqual(list.map((d) => d.id).sort());
  expect(dead[0]).toMatchObject({ status: 'dead', outboxId: c.effect.id, target: expect.stringContaining('http://127.0.0.1:') });
  expect(JSON.stringify(dead)).not.toContain(SECRET);

  await queue.enqueue([down.id]); // a dead delivery is not tried again either
  await settled();
  expect(hits.filter((h) => h.path === `/down/${owner}`)).toHaveLength(ATTEMPTS);
});

it('a delivered delivery enqueued again is not sent again', async () => {
  const owner = await addUnit();
  await deliveries.addChannel(owner, 'webhook', `${base}/ok/${owner}`, SECRET);
  const c = await overdueCase(owner);
  await c.run();
  const [d] = await statusOf(c.caseId, 'delivered');
  await settled();
  await queue.enqueue([d!.id]); // the completed job was removed, so this really runs again
  await waitFor('the repeated job', async () => results.filter((r) => r.jobId === deliveryJobId(d!.id)).length === 2);
  expect(results.filter((r) => r.jobId === deliveryJobId(d!.id)).map((r) => r.result)).toEqual(['delivered', 'skipped']);
  expect(hits.filter((h) => h.path === `/ok/${owner}`)).toHaveLength(1);
  expect((await deliveries.listForCase(c.caseId))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
});

it('pending deliveries whose jobs were lost are re-enqueued by the reconciler and sent once', async () => {
  const owner = await addUnit();
  await deliveries.addChannel(owner, 'webhook', `${base}/ok/${owner}`, SECRET);
  const c = await overdueCase(owner);
  await handlerLosingJobs().handle(c.effect, c.caseRow);
  expect((await deliveries.listForCase(c.caseId)).map((d) => d.status)).toEqual(['pending']);
  const reconciler = new DeliveryReconciler(deliveries, queue, clock, 0);
  expect(await reconciler.run()).toBeGreaterThanOrEqual(1);
  await reconciler.run(); // again: the job id dedupes
  await statusOf(c.caseId, 'delivered');
  await settled();
  expect(hits.filter((h) => h.path === `/ok/${owner}`)).toHaveLength(1);
});

it('without SMTP_URL an e-mail delivery is dead at once with a clear error; channels are validated', async () => {
  const owner = await addUnit();
  await deliveries.addChannel(owner, 'email', `duty@${owner}.example`);
  const c = await overdueCase(owner);
  await handlerLosingJobs().handle(c.effect, c.caseRow);
  const [d] = await deliveries.listForCase(c.caseId);
  const noSmtp = new DeliveryProcessor(deliveries, { webhook: new WebhookSender(), email: new EmailSender({}) }, clock);
  const job = { data: { deliveryId: d!.id }, attemptsMade: 0, opts: { attempts: 6 } } as unknown as Job<DeliveryJobData>;
  expect(await noSmtp.process(job)).toBe('dead');
  expect((await deliveries.listForCase(c.caseId))[0]).toMatchObject({ status: 'dead', attempts: 1, lastError: NO_SMTP_ERROR });
  expect(await noSmtp.process(job)).toBe('skipped');

  await expect(deliveries.addChannel(owner, 'webhook', `${base}/x`)).rejects.toBeInstanceOf(BadRequestError);
  await expect(deliveries.addChannel(owner, 'webhook', 'ftp://127.0.0.1/x', SECRET)).rejects.toBeInstanceOf(BadRequestError);
  await expect(deliveries.addChannel(owner, 'webhook', `http://u:p@127.0.0.1/x`, SECRET)).rejects.toBeInstanceOf(BadRequestError);
  await expect(deliveries.addChannel(owner, 'email', 'not an address')).rejects.toBeInstanceOf(BadRequestError);
});
