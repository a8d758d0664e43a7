/**
 * Turns an AWS SDK call that failed on the service's side (unreachable endpoint, timeout, 5xx,
 * throttling left after the SDK's own retries) into the domain's DependencyError, which the edge
 * answers with 503 and Retry-After. Errors the caller caused (a failed condition, a validation
 * error, a missing key) pass through unchanged: adapters map those to their own domain errors.
 */
import type { Pluggable } from '@smithy/types';
import { DependencyError } from '#domain/errors.ts';

/** Error names AWS services use for throttling that outlasted the SDK's retries. */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestThrottled',
]);

/** Node network error codes meaning the endpoint could not be reached or dropped the connection. */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

interface SdkFailure {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** True when the failure is the dependency's (retrying later may work), not the request's. */
export function isDependencyFailure(error: unknown): boolean {
  if (!error || typeof error !== 'object' || error instanceof DependencyError) return false;
  const e = error as SdkFailure;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  if (e.name && THROTTLING.has(e.name)) return true;
  if (e.code && NETWORK.has(e.code)) return true;
  return e.name === 'TimeoutError' || e.name === 'RequestTimeout' || e.name === 'TimeoutException';
}

/**
 * An SDK client plugin: service-side failures of `service` surface as DependencyError naming the
 * service (the original error kept as `cause`, for the logs).
 */
export function dependencyFailures<Input extends object, Output extends object>(
  service: string,
): Pluggable<Input, Output> {
  return {
    applyToStack: (stack) => {
      stack.add(
        (next) => async (args) => {
          try {
            return await next(args);
          } catch (error) {
            if (!isDependencyFailure(error)) throw error;
            // The message reaches the client (503): it names the service, never the endpoint or the SDK's text.
            throw new DependencyError(`${service} is unavailable right now`, { cause: error });
          }
        },
        // The initialize step wraps the SDK's retry loop: only what is left after retries is mapped.
        { step: 'initialize', name: 'marqueeDependencyFailures', priority: 'high' },
      );
    },
  };
}
