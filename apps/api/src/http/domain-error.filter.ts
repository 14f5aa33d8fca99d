import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type DomainErrorKind } from '#shouhu/engine';

const STATUS: Record<DomainErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  unavailable: 503,
};

/** The one place errors become HTTP: domain errors by kind, Nest's own as they are, the rest 500/503. */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const req = http.getRequest<FastifyRequest>();
    const requestId = String(req.id);
    if (err instanceof DomainError) {
      reply.status(STATUS[err.kind]).send({ error: err.kind, message: err.message, ...err.details, requestId });
      return;
    }
    if (err instanceof HttpException) {
      const body = err.getResponse();
      const payload = typeof body === 'string' ? { message: body } : (body as Record<string, unknown>);
      const { statusCode: _s, error: _e, ...rest } = payload;
      reply.status(err.getStatus()).send({ error: errorName(err.getStatus()), ...rest, requestId });
      return;
    }
    if (isUnavailable(err)) {
      this.logger.warn({ err: String(err), requestId }, 'a dependency is unavailable');
      reply.status(503).send({ error: 'unavailable', message: 'the database or the queue is not reachable; try again shortly', requestId });
      return;
    }
    this.logger.error({ err, requestId }, 'unhandled error');
    reply.status(500).send({ error: 'internal', message: 'internal error', requestId });
  }
}

function errorName(status: number): string {
  return ({ 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 422: 'unprocessable' } as Record<number, string>)[status] ?? 'error';
}

function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  const name = (err as { name?: string })?.name;
  return (
    name === 'ConnectionException' ||
    name === 'KnexTimeoutError' ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === '57P01' || // admin shutdown
    code === '57P03' // cannot connect now
  );
}
