import { Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { RuntimeModule } from '#shouhu/runtime';
import { consoleDistDir, serveConsole } from './console-static';
import { ConsoleController } from './console.controller';
import { ConsoleQueries } from './console.queries';

/** The case workers' console: its page at `/console/`, and `/me` and `/definitions` it reads. */
@Module({
  imports: [RuntimeModule],
  controllers: [ConsoleController],
  providers: [ConsoleQueries],
})
export class ConsoleModule implements OnModuleInit {
  private readonly logger = new Logger('Console');

  constructor(@Inject(HttpAdapterHost) private readonly host: HttpAdapterHost) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.host.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    // Test modules built without an HTTP server have nothing to serve from.
    if (!fastify || typeof fastify.register !== 'function') return;
    const root = consoleDistDir();
    if (await serveConsole(fastify, root)) this.logger.log(`console served at /console/ from ${root}`);
    else this.logger.warn('the console is not built (run npm run build:console); /console/ is not served');
  }
}
