/**
 * Domain errors. They carry no HTTP status: the edge (functions/edge/problem.ts) maps each class
 * to a status code, so domain code stays transport-free.
 */
export interface FieldProblem {
  /** Path of the offending field as the client wrote it: `events[3].type`, `query.k`, `path.itemId`. */
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The client sent something we cannot accept; `problems` names every bad field. */
export class ValidationError extends DomainError {
  constructor(
    message: string,
    readonly problems: FieldProblem[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class NotFoundError extends DomainError {
  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`${resource} '${id}' was not found`);
  }
}

/** The request conflicts with the state of what it names; `problems` says which fields, when known. */
export class ConflictError extends DomainError {
  readonly problems: FieldProblem[];

  constructor(message: string, options?: { cause?: unknown; problems?: FieldProblem[] }) {
    super(message, options);
    this.problems = options?.problems ?? [];
  }
}

/**
 * A write about a user who was erased: nothing about them is stored again (a person who comes
 * back gets a new user id).
 */
export class UserErasedError extends ConflictError {
  constructor(
    readonly userIds: string[],
    problems: FieldProblem[] = [],
  ) {
    const names = userIds.map((id) => `'${id}'`).join(', ');
    super(
      `${userIds.length > 1 ? `users ${names} were` : `user ${names} was`} erased; nothing about an erased user is stored again (use a new user id)`,
      { problems },
    );
  }
}

export class PayloadTooLargeError extends DomainError {
  constructor(
    readonly limitBytes: number,
    readonly actualBytes: number,
  ) {
    super(`the request body is ${actualBytes} bytes; the limit is ${limitBytes} bytes`);
  }
}

export class UnauthorizedError extends DomainError {}

/** The caller is known but its token does not allow this request. */
export class ForbiddenError extends DomainError {}

/**
 * A dependency (database, object store, model, media service) failed or is busy; never the
 * client's fault. The message reaches the client (503), so it says what failed and what was not
 * done, never internals; `retryAfterSec` is how long a caller should wait before trying again.
 */
export class DependencyError extends DomainError {
  readonly retryAfterSec: number;

  constructor(message: string, options?: { cause?: unknown; retryAfterSec?: number }) {
    super(message, options);
    this.retryAfterSec = options?.retryAfterSec ?? 5;
  }
}
