import { DriverException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { Client } from 'pg';
import { isUnavailable } from './domain-error.filter';

/** The errors a PostgreSQL restart under load produced (seen by `npm run chaos`): each must be a 503, a bug must stay a 500. */
describe('isUnavailable', () => {
  const pgError = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

  it.each([
    ['a query cut off by the server going away', new DriverException(pgError('select 1 - Connection terminated unexpectedly'))],
    ['a transaction whose connection died under it', new DriverException(pgError('Transaction query already complete, run with DEBUG=knex:tx for more info'))],
    ['a pooled client that had already failed', pgError('Client has encountered a connection error and is not queryable')],
    ['admin shutdown (57P01)', new DriverException(pgError('terminating connection due to administrator command', '57P01'))],
    ['the database system is starting up (57P03)', pgError('the database system is starting up', '57P03')],
    ['a connection exception (08006)', pgError('connection failure', '08006')],
    ['an error wrapped as the cause of another', new Error('commit failed', { cause: pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED') })],
    ['ECONNREFUSED on every address (AggregateError)', new AggregateError([pgError('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], 'connect failed')],
  ])('is true for %s', (_what, err) => {
    expect(isUnavailable(err)).toBe(true);
  });

  it.each([
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a unique violation', new UniqueConstraintViolationException(pgError('duplicate key value violates unique constraint "cases_pkey"', '23505'))],
    ['a syntax error', new DriverException(pgError('syntax error at or near "selec"', '42601'))],
    ['nothing', undefined],
  ])('is false for %s', (_what, err) => {
    expect(isUnavailable(err)).toBe(false);
  });

  it('is true for the error a real connection to a closed port gives', async () => {
    const client = new Client({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2000 });
    const err = await client.connect().then(() => null, (e: unknown) => e);
    expect(err).not.toBeNull();
    expect(isUnavailable(err)).toBe(true);
  });
});
