import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Global, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { APP_CONFIG, loadConfig } from '#shouhu/config';
import { SystemClock } from '#shouhu/engine';
import { DeliveryQueue, DeliveryService } from '#shouhu/notify';
import { Database } from '#shouhu/persistence';
import { RedisConnections } from '#shouhu/queue';
import { CLOCK } from '#shouhu/runtime';
import { DeliveryModule } from '../../apps/worker/src/delivery/delivery.module';
import { DELIVERY_SETTINGS, type DeliverySettings } from '../../apps/worker/src/delivery/delivery.settings';
import { createTestDatabase, prepareDatabase, REDIS_URL, waitFor } from '../support/stack';

/*
 * DeliveryModule as the worker will import it, with the providers it expects from the RuntimeModule
 * (config, clock, database, Redis connections, DeliveryService): it boots, its reconcile loop sends a
 * pending delivery at start, and SIGTERM-style close drains cleanly.
 */
jest.setTimeout(60_000);

let pg: { url: string; drop: () => Promise<void> };
let db: Database;
let http: Server;
let app: TestingModule | undefined;
let redis: RedisConnections;
const prefix = `it-delivmod-${randomBytes(4).toString('hex')}`;
const posts: string[] = [];

beforeAll(async () => {
  pg = await createTestDatabase('delivmod');
  await prepareDatabase(pg.url);
  db = await Database.open({ kind: 'postgres', url: pg.url });
  http = createServer((req, res) => {
    posts.push(String(req.headers['x-shouhu-delivery']));
    req.resume().on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
});

afterAll(async () => {
  await app?.close();
  const keys = await redis.producer().keys(`${prefix}:*`);
  if (keys.length) await redis.producer().del(...keys);
  await redis.closeAll();
  await new Promise((r) => http.close(r));
  await db.close();
  await pg.drop();
});

it('boots with the RuntimeModule providers, reads the delivery settings and sends what is pending', async () => {
  const deliveries = new DeliveryService(db, new SystemClock());
  const channel = await deliveries.addChannel('maluguo-police', 'webhook', `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`, 'whsec-module-0123456789');
  const sql = new Client({ connectionString: pg.url });
  await sql.connect();
  const caseId = randomUUID();
  const outboxId = randomUUID();
  await sql.query(
    `insert into cases (id, type, machine_id, machine_version, policy_version, owner_unit_id, jurisdiction_path, subject, data, snapshot,
       state_value, state, status, version, last_seq, created_by, created_at, updated_at)
     values ($1, 'kernel-deadline', 'kernel-deadline', 1, 'p1', 'maluguo-police', 'changbai/maluguo', '{}', '{}', '{}', '"overdue"', 'overdue', 'active', 2, 2, 'system', now(), now())`,
    [caseId],
  );
  await sql.query(`insert into outbox (id, case_id, seq, action, params, meta, status, attempts, created_at) values ($1, $2, 2, 'notify', '{}', '{}', 'done', 1, now())`, [outboxId, caseId]);
  await sql.query(`insert into inbox (id, unit_id, case_id, outbox_id, reason, payload, created_at) values ($1, 'maluguo-police', $2, $3, 'r', '{}', now())`, [randomUUID(), caseId, outboxId]);
  await sql.query(`insert into deliveries (id, outbox_id, case_id, unit_id, channel_id, kind, status, attempts, created_at)
                   values ($1, $2, $3, 'maluguo-police', $4, 'webhook', 'pending', 0, now() - interval '1 minute')`, [randomUUID(), outboxId, caseId, channel.id]);
  await sql.end();

  // The config as it will be once SMTP_URL / WEBHOOK_TIMEOUT_MS are in the schema.
  const config = { ...loadConfig({ QUEUE_PREFIX: prefix, REDIS_URL, DATABASE_URL: pg.url }), SMTP_URL: 'smtp://127.0.0.1:1', WEBHOOK_TIMEOUT_MS: 1500 };
  redis = new RedisConnections(REDIS_URL);
  @Global()
  @Module({
    providers: [
      { provide: APP_CONFIG, useValue: config },
      { provide: CLOCK, useClass: SystemClock },
      { provide: Database, useValue: db },
      { provide: RedisConnections, useValue: redis },
      { provide: DeliveryService, useValue: deliveries },
    ],
    exports: [APP_CONFIG, CLOCK, Database, RedisConnections, DeliveryService],
  })
  class FakeRuntimeModule {}

  app = await Test.createTestingModule({ imports: [FakeRuntimeModule, DeliveryModule] }).compile();
  app.enableShutdownHooks();
  await app.init();
  expect(app.get<DeliverySettings>(DELIVERY_SETTINGS)).toMatchObject({ smtpUrl: 'smtp://127.0.0.1:1', webhookTimeoutMs: 1500, retry: { attempts: 6 } });
  expect(app.get(DeliveryQueue)).toBeInstanceOf(DeliveryQueue); // exported: the effect catalogue injects it

  await waitFor('the reconciled delivery', async () => (await deliveries.listForCase(caseId))[0]?.status === 'delivered');
  expect(posts).toHaveLength(1);
  await app.close();
  app = undefined;
});
