/**
 * Domain errors. They carry no HTTP status: the edge (functions/edge/problem.ts) maps each class
 * to a status code, so domain code stays transport-free.
 */
export interface FieldProblem {
  /** JSON-pointer-like path of the offending field, e.g. `events/3/type` or `query.k`. */
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

export class ConflictError extends DomainError {}

export class PayloadTooLargeError extends DomainError {
  constructor(
    readonly limitBytes: number,
    readonly actualBytes: number,
  ) {
    super(`the request body is ${actualBytes} bytes; the limit is ${limitBytes} bytes`);
  }
}

export class UnauthorizedError extends DomainError {}

export class ForbiddenError extends DomainError {
  constructor(readonly requiredScope: string) {
    super(`this route requires the scope '${requiredScope}'`);
  }
}

/** A dependency (database, object store, model) failed; never the client's fault. */
export class DependencyError extends DomainError {}
