import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfig } from '#shouhu/config';
import { closeOnSignals, ensureRedis, exitOnStartupError } from '#shouhu/runtime';
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

main().catch(exitOnStartupError('shouhu worker', [UnhandledActionsError]));
