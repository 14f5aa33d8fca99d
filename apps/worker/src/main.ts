import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig } from '#shouhu/config';
import { closeOnSignals, ensureRedis, RedisUnavailableError } from '#shouhu/runtime';
import { UnhandledActionsError } from './effect-catalogue.provider';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfig();
  await ensureRedis(config.REDIS_URL, config.dataDir, false);
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  closeOnSignals(app, (m) => app.get(Logger).log(m));
  process.stdout.write(`Shouhu worker started (queue prefix ${config.QUEUE_PREFIX})\n`);
}

main().catch((err: unknown) => {
  const known = err instanceof ConfigError || err instanceof RedisUnavailableError || err instanceof UnhandledActionsError;
  process.stderr.write(`shouhu worker: ${known ? (err as Error).message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
