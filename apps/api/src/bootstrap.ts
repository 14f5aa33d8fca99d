import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { AppConfig } from '#shouhu/config';
import { closeOnSignals, requestIdOf } from '#shouhu/runtime';

/** Builds the Fastify app around a module: /api/v1, OpenAPI at /docs, request ids, shutdown hooks. */
export async function createHttpApp(module: unknown, config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ genReqId: requestIdOf, bodyLimit: 1_048_576 });
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix('api/v1');
  closeOnSignals(app, (m) => app.get(Logger).log(m));
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // Attendance files are uploaded as they are exported: text/csv.
  fastify.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 10_485_760 }, (_req, body, done) => done(null, body));
  // Census workbooks (registry imports) arrive as .xlsx bytes.
  fastify.addContentTypeParser(
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    { parseAs: 'buffer', bodyLimit: 10_485_760 },
    (_req, body, done) => done(null, body),
  );
  const doc = SwaggerModule.createDocument(
    app as unknown as INestApplication,
    new DocumentBuilder()
      .setTitle('Shouhu (守护) API')
      .setDescription('Cases of child protection as workflows: open, move, watch deadlines, read notifications.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app as unknown as INestApplication, doc);
  await app.listen(config.PORT, config.HOST);
  return app;
}
