import { randomBytes, randomUUID } from 'node:crypto';
import { UnrecoverableError, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { type EffectJobData, effectJobId, QUEUES } from '#shouhu/engine';
import { DispatchQueues, RedisConnections } from '#shouhu/queue';
import { REDIS_URL, waitFor } from '../support/stack';

/*
 * An effect whose BullMQ job was given up (failed) while its outbox row is still pending must run
 * again when the reconciler re-enqueues it: a failed job kept under the same id would make the plain
 * re-enqueue a no-op for ever. Real Redis, a prefix of its own (its keys are deleted afterwards).
 */
jest.setTimeout(30_000);

const prefix = `it-requeue-${randomBytes(4).toString('hex')}`;
let connections: RedisConnections;
let queues: DispatchQueues;

beforeAll(() => {
  connections = new RedisConnections(REDIS_URL);
  queues = new DispatchQueues(connections, prefix);
});

afterAll(async () => {
  await queues.close();
  await connections.closeAll();
  const r = new IORedis(REDIS_URL);
  const keys = await r.keys(`${prefix}:*`);
  if (keys.length > 0) await r.unlink(...keys);
  r.disconnect();
});

it('retries a failed effect job with fresh attempts, where a plain enqueue leaves it failed', async () => {
  const effect = { id: randomUUID(), action: 'notify', requestId: null };
  await queues.enqueueEffects([effect]);
  // A worker that gives the job up at once: what a job stalled twice, or a last attempt that could not record its failure, ends as.
  const worker = new Worker<EffectJobData>(QUEUES.effects, async () => {
    throw new UnrecoverableError('given up');
  }, { connection: connections.worker(), prefix });
  const state = () => queues.effects.getJobState(effectJobId(effect.id));
  await waitFor('the job to fail', async () => (await state()) === 'failed');
  await worker.close();

  await queues.enqueueEffects([effect]);
  expect(await state()).toBe('failed');

  expect(await queues.requeueEffects([effect])).toBe(1);
  expect(await state()).toBe('waiting');
  expect((await queues.effects.getJob(effectJobId(effect.id)))?.attemptsMade).toBe(0);

  // A job that is still waiting is left as it is.
  expect(await queues.requeueEffects([effect])).toBe(0);
  expect(await state()).toBe('waiting');
});
