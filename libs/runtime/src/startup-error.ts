import { ConfigError } from '#shouhu/config';
import { PolicyError } from '#shouhu/protection';
import { RedisUnavailableError } from './embedded-redis';

/** Errors whose message says all an operator needs; anything else is a bug and keeps its stack. */
const OPERATOR_ERRORS: (abstract new (...args: never[]) => Error)[] = [ConfigError, PolicyError, RedisUnavailableError];

export function isOperatorError(err: unknown, extra: (abstract new (...args: never[]) => Error)[] = []): err is Error {
  return [...OPERATOR_ERRORS, ...extra].some((cls) => err instanceof cls);
}

/** Prints why the process could not start (no stack trace for an operator's mistake) and exits 1. */
export function exitOnStartupError(prefix: string, extra: (abstract new (...args: never[]) => Error)[] = []) {
  return (err: unknown): never => {
    const text = isOperatorError(err, extra) ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`${prefix}: ${text}\n`);
    process.exit(1);
  };
}
