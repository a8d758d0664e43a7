/**
 * Maps errors to RFC 9457 problem+json responses. This is the only place that knows HTTP status
 * codes; 5xx details never reach the client.
 */
import type { z } from 'zod';
import type { Problem as ProblemContract } from '#contracts/common.ts';
import {
  ConflictError,
  DependencyError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  ValidationError,
} from '#domain/errors.ts';

/** No declared route has this path. */
export class RouteNotFoundError extends DomainError {}
/** The path exists, but not with this method. */
export class MethodNotAllowedError extends DomainError {
  constructor(
    readonly method: string,
    readonly allowed: string[],
  ) {
    super(`method ${method} is not allowed here; allowed: ${allowed.join(', ')}`);
  }
}
export class UnsupportedMediaTypeError extends DomainError {}

/** The problem+json body, as the contract (and so the OpenAPI document) declares it. */
export type Problem = z.infer<typeof ProblemContract>;

const problemType = (slug: string) => `https://marquee.dev/problems/${slug}`;

export function toProblem(
  error: unknown,
  requestId?: string,
): { problem: Problem; headers: Record<string, string> } {
  const base = (status: number, slug: string, title: string, detail: string): Problem => ({
    type: problemType(slug),
    title,
    status,
    detail,
    ...(requestId ? { instance: requestId } : {}),
  });
  const headers: Record<string, string> = {};
  let problem: Problem;
  if (error instanceof ValidationError) {
    problem = { ...base(400, 'validation', 'Invalid request', error.message), errors: error.problems };
  } else if (error instanceof NotFoundError) {
    problem = base(404, 'not-found', 'Not found', error.message);
  } else if (error instanceof RouteNotFoundError) {
    problem = base(404, 'no-route', 'No such route', error.message);
  } else if (error instanceof MethodNotAllowedError) {
    problem = base(405, 'method-not-allowed', 'Method not allowed', error.message);
    headers.allow = error.allowed.join(', ');
  } else if (error instanceof ConflictError) {
    problem = {
      ...base(409, 'conflict', 'Conflict', error.message),
      ...(error.problems.length ? { errors: error.problems } : {}),
    };
  } else if (error instanceof PayloadTooLargeError) {
    problem = {
      ...base(413, 'too-large', 'Payload too large', error.message),
      errors: [{ field: 'body', message: error.message }],
    };
  } else if (error instanceof UnsupportedMediaTypeError) {
    problem = {
      ...base(415, 'media-type', 'Unsupported media type', error.message),
      errors: [{ field: 'content-type', message: error.message }],
    };
  } else if (error instanceof UnauthorizedError) {
    problem = base(401, 'unauthorized', 'Unauthorized', error.message);
    headers['www-authenticate'] = 'Bearer';
  } else if (error instanceof ForbiddenError) {
    problem = base(403, 'forbidden', 'Forbidden', error.message);
  } else if (error instanceof DependencyError) {
    problem = base(503, 'unavailable', 'Service unavailable', error.message);
    headers['retry-after'] = String(error.retryAfterSec);
  } else {
    problem = base(500, 'internal', 'Internal error', 'The request failed on our side; it has been logged.');
  }
  return { problem, headers };
}
