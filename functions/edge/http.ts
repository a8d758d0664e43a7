/**
 * The HTTP edge: turns an API Gateway HTTP API (payload 2.0) event into validated input for one
 * route adapter, and the adapter's result or error into a response. Route adapters stay thin:
 * they receive parsed params, query and body and call one domain function.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import type { RouteContract } from '#contracts/types.ts';
import { type FieldProblem, PayloadTooLargeError, ValidationError } from '#domain/errors.ts';
import { readSetting } from '#platform/config.ts';
import { type FunctionId, type RouteDeclaration, routeKey, routes } from '#platform/declaration.ts';
import { compiledRoutes } from '#platform/route-paths.ts';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { authorizeOwner, authorizeRoute, type Caller, callerOf } from './caller.ts';
import { logger, metrics, withObservability } from './observability.ts';
import {
  MethodNotAllowedError,
  RouteNotFoundError,
  toProblem,
  UnsupportedMediaTypeError,
} from './problem.ts';

/** Largest JSON body any route accepts, in bytes (API Gateway itself caps payloads at 10 MB). */
export const MAX_BODY_BYTES = 1_048_576;

type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface HttpRequest<C extends RouteContract> {
  params: Infer<C['params']>;
  query: Infer<C['query']>;
  body: Infer<C['body']>;
  requestId: string;
  /** Who calls, with the scopes the token grants (already checked against the route). */
  caller: Caller;
  context: Context;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteAdapter<C extends RouteContract> = (request: HttpRequest<C>) => Promise<HttpResult>;

export type Adapters<M extends Record<string, RouteContract>> = { [K in keyof M]: RouteAdapter<M[K]> };

/** Zod issues as field problems: `events[3].type`, `query.k`, `path.itemId`. */
export function toFieldProblems(
  location: 'path' | 'query' | 'body',
  issues: z.core.$ZodIssue[],
): FieldProblem[] {
  return issues.map((issue) => {
    const path = issue.path
      .map((part, index) =>
        typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
      )
      .join('');
    const field = location === 'body' ? path || 'body' : path ? `${location}.${path}` : location;
    if (issue.code === 'unrecognized_keys') {
      return {
        field: issue.keys.map((k) => (field === 'body' ? k : `${field}.${k}`)).join(', '),
        message: 'is not a known field',
      };
    }
    return { field, message: issue.message };
  });
}

function parseWith<T extends z.ZodType>(
  schema: T | undefined,
  input: unknown,
  location: 'path' | 'query' | 'body',
) {
  if (!schema) return undefined;
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems = toFieldProblems(location, result.error.issues);
    throw new ValidationError(`the request ${location === 'path' ? 'path' : location} is invalid`, problems);
  }
  return result.data;
}

function readJsonBody(event: APIGatewayProxyEventV2): unknown {
  if (event.body === undefined || event.body === null || event.body === '') {
    throw new ValidationError('a JSON body is required', [{ field: 'body', message: 'is required' }]);
  }
  const contentType = event.headers?.['content-type'] ?? event.headers?.['Content-Type'] ?? '';
  if (contentType && !/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new UnsupportedMediaTypeError(`send application/json, not '${contentType}'`);
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES, bytes);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(
      'the body is not valid JSON',
      [{ field: 'body', message: (error as Error).message }],
      {
        cause: error,
      },
    );
  }
}

/** The prefix of the OAuth scopes the stage's tokens carry (`marquee/read`); the stacks set it. */
const scopePrefix = readSetting('JWT_SCOPE_PREFIX');

/** The function's declared routes by route key (API Gateway sends the matched key with each event). */
const routesByKey = (fn: FunctionId): Map<string, RouteDeclaration> =>
  new Map(routes.filter((r) => r.function === fn).map((r) => [routeKey(r), r]));

function findRoute(
  declaredRoutes: Map<string, RouteDeclaration>,
  event: APIGatewayProxyEventV2,
): RouteDeclaration {
  const declared = declaredRoutes.get(event.routeKey);
  if (declared) return declared;
  // `$default`: no declared route matched. Tell 404 (no such path) from 405 (wrong method).
  const method = event.requestContext.http.method;
  const path = event.rawPath;
  const allowed = compiledRoutes.filter((c) => c.pattern.test(path)).map((c) => c.route.method);
  if (allowed.length > 0) throw new MethodNotAllowedError(method, [...new Set(allowed)]);
  throw new RouteNotFoundError(`no route matches ${method} ${path}`);
}

const toResponse = (
  result: HttpResult,
  contentType = 'application/json',
): APIGatewayProxyStructuredResultV2 => ({
  statusCode: result.status,
  headers: {
    ...(result.body === undefined ? {} : { 'content-type': contentType }),
    ...result.headers,
  },
  body: result.body === undefined ? '' : JSON.stringify(result.body),
});

/**
 * Builds the Lambda handler of one declared function from its contracts and adapters,
 * keyed by the declaration's operation ids.
 */
export function httpHandler<M extends Record<string, RouteContract>>(
  fn: FunctionId,
  contracts: M,
  adapters: Adapters<M>,
) {
  const declaredRoutes = routesByKey(fn);
  const handle = async (
    event: APIGatewayProxyEventV2,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    try {
      const route = findRoute(declaredRoutes, event);
      const caller = callerOf(event, scopePrefix);
      authorizeRoute(route, caller, scopePrefix);
      const contract = contracts[route.operation];
      const adapter = adapters[route.operation] as RouteAdapter<RouteContract> | undefined;
      if (!contract || !adapter)
        throw new RouteNotFoundError(`operation ${route.operation} is not served here`);
      // API Gateway hands path parameters over already URL-decoded.
      const params = parseWith(contract.params, event.pathParameters ?? {}, 'path');
      const query = parseWith(contract.query, event.queryStringParameters ?? {}, 'query');
      const body = contract.body ? parseWith(contract.body, readJsonBody(event), 'body') : undefined;
      authorizeOwner(route, caller, { params, body });
      const result = await adapter({
        params,
        query,
        body,
        requestId,
        caller,
        context,
      } as HttpRequest<RouteContract>);
      metrics.addMetric('Requests', MetricUnit.Count, 1);
      return toResponse(result);
    } catch (error) {
      const { problem, headers } = toProblem(error, requestId);
      metrics.addMetric(problem.status >= 500 ? 'ServerErrors' : 'ClientErrors', MetricUnit.Count, 1);
      if (problem.status === 503)
        logger.warn('a dependency failed', { error: error as Error, routeKey: event.routeKey });
      else if (problem.status >= 500)
        logger.error('request failed', { error: error as Error, routeKey: event.routeKey });
      return toResponse({ status: problem.status, body: problem, headers }, 'application/problem+json');
    }
  };
  return middy(handle).use(withObservability());
}
