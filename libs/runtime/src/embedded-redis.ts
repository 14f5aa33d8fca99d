import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RedisConnections } from '#shouhu/queue';

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * Embedded mode: use the Redis at REDIS_URL if it answers; else start Debian's redis-server with its
 * data under DATA_DIR (AOF on, noeviction); else say how to get one.
 */
export async function ensureRedis(url: string, dataDir: string, mayStart: boolean): Promise<ChildProcess | null> {
  const probe = new RedisConnections(url);
  try {
    await probe.ping();
    return null;
  } catch {
    // nothing answers; see below
  }
  const parsed = new URL(url);
  const port = parsed.port || '6379';
  const haveServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!mayStart || !LOCAL_HOSTS.has(parsed.hostname) || !haveServer) {
    throw new RedisUnavailableError(
      [
        `No Redis answers at ${url}.`,
        mayStart && !haveServer ? 'redis-server is not on the PATH either, so none can be started here.' : '',
        'Start one (Debian/Ubuntu: `apt-get install redis-server && redis-server --daemonize yes`),',
        'or point REDIS_URL at a running Redis.',
      ]
        .filter(Boolean)
        .join(' '),
    );
  }
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    'redis-server',
    ['--port', port, '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--maxmemory-policy', 'noeviction', '--save', ''],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      await probe.ping();
      process.once('exit', () => child.kill('SIGTERM'));
      return child;
    } catch {
      if (child.exitCode !== null) break;
    }
  }
  child.kill('SIGKILL');
  throw new RedisUnavailableError(`redis-server could not be started on port ${port} with data in ${dir}`);
}
