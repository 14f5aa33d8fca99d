/**
 * Domain errors: the engine and the services throw these; one HTTP filter maps `kind` to a status.
 * `details` is safe to show to the caller (it never carries another unit's data).
 */
export type DomainErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    super('not_found', `${what} ${id} was not found`, { [what]: id });
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('forbidden', message, details);
  }
}

/** A stale expectedVersion, or another writer committed first. Nothing was written. */
export class ConflictError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('conflict', message, details);
  }
}

/** The request is well formed but the case's current state does not allow it. */
export class UnprocessableError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('unprocessable', message, details);
  }
}

export class BadRequestError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('bad_request', message, details);
  }
}

/** A machine did something the engine cannot persist (a bug in a definition, not in the request). */
export class MachineDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MachineDefinitionError';
  }
}
