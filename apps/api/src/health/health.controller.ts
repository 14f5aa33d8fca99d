import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Database } from '#shouhu/persistence';
import { RedisConnections } from '#shouhu/queue';
import { Public } from '../http/auth.guard';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(RedisConnections) private readonly redis: RedisConnections,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  live() {
    return { status: 'ok' };
  }

  /** Readiness: the database and Redis both answer. */
  @Get('ready')
  async ready() {
    const [database, redis] = await Promise.all([
      this.db.ping().then(() => 'up', (e: unknown) => `down: ${String(e)}`),
      this.redis.ping().then(() => 'up', (e: unknown) => `down: ${String(e)}`),
    ]);
    const body = { status: database === 'up' && redis === 'up' ? 'ready' : 'unavailable', database, redis };
    if (body.status !== 'ready') throw new ServiceUnavailableException(body);
    return body;
  }
}
