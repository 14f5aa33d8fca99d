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

/** SQLSTATE of a server that is not there right now: class 08 (connection), 57P01-04 (shutdown, crash, starting up), 53300 (too many connections). */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[1-4]|53300)$/;
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/**
 * What pg, knex and ioredis say, without a code, when the connection went away under a request
 * (found by `npm run chaos` restarting PostgreSQL under load: these were answered 500 before).
 */
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i, // pg: the server closed the socket (restart, crash) while a query ran
  /not queryable/i, // pg: a pooled client whose connection had already failed
  /Transaction query already complete/i, // knex: the transaction's connection died under it (rolled back)
  /Timeout acquiring a connection/i, // knex: the pool could not connect in time
  /max retries per request/i, // ioredis: Redis did not come back in time
  /Connection is closed/i, // ioredis
];

/** A dependency (PostgreSQL, Redis) is away, not a bug: 503, so that the client retries. Looks through wrapped causes. */
export function isUnavailable(err: unknown, depth = 0): boolean {
  if (err === null || typeof err !== 'object' || depth > 4) return false;
  const e = err as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown; previous?: unknown; errors?: unknown };
  if (e.name === 'ConnectionException' || e.name === 'KnexTimeoutError' || e.name === 'MaxRetriesPerRequestError') return true;
  const code = typeof e.code === 'string' ? e.code : '';
  if (UNAVAILABLE_SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code)) return true;
  const message = typeof e.message === 'string' ? e.message : '';
  if (UNAVAILABLE_MESSAGES.some((m) => m.test(message))) return true;
  // AggregateError: one ECONNREFUSED per address tried.
  if (Array.isArray(e.errors) && e.errors.some((x) => isUnavailable(x, depth + 1))) return true;
  return isUnavailable(e.cause, depth + 1) || isUnavailable(e.previous, depth + 1);
}
