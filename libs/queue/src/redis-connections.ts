import IORedis, { type Redis, type RedisOptions } from 'ioredis';

/** Every ioredis connection of the process, made and closed in one place. */
export class RedisConnections {
  private readonly open: Redis[] = [];

  constructor(private readonly url: string) {}

  /** For queues (producers): fail fast so a request is not held while Redis is away. */
  producer(): Redis {
    return this.make({ maxRetriesPerRequest: 3, enableOfflineQueue: true });
  }

  /** For BullMQ workers: blocking commands need maxRetriesPerRequest = null. */
  worker(): Redis {
    return this.make({ maxRetriesPerRequest: null });
  }

  async ping(timeoutMs = 1000): Promise<void> {
    const probe = new IORedis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
    } finally {
      probe.disconnect();
    }
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.open.map((c) => c.quit()));
    this.open.length = 0;
  }

  private make(extra: RedisOptions): Redis {
    const conn = new IORedis(this.url, extra);
    conn.on('error', () => undefined); // ioredis reconnects by itself; readiness reports the outage
    this.open.push(conn);
    return conn;
  }
}
