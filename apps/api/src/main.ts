import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { loadConfig } from '#shouhu/config';
import { ensureRedis, exitOnStartupError } from '#shouhu/runtime';
import { WorkerModule } from '../../worker/src/worker.module';
import { AppModule } from './app.module';
import { createHttpApp } from './bootstrap';

/** API and worker in one process: the embedded default for a single machine. */
@Module({ imports: [AppModule, WorkerModule] })
class EmbeddedModule {}

async function main(): Promise<void> {
  const withWorker = process.argv.includes('--with-worker');
  const config = loadConfig();
  // Only the single-machine start may launch a local redis-server; production processes must be given one.
  await ensureRedis(config.REDIS_URL, config.dataDir, withWorker);
  const app = await createHttpApp(withWorker ? EmbeddedModule : AppModule, config);
  const url = await app.getUrl();
  process.stdout.write(`Shouhu ${withWorker ? 'API + worker' : 'API'} listening on ${url}/api/v1 (docs: ${url}/docs)\n`);
}

main().catch(exitOnStartupError('shouhu'));
