/**
 * The OpenAPI 3.1 document, built from the declared routes and their zod contracts: every status a
 * route can answer, each error as the problem+json schema, and the scopes that reach it.
 */
import { z } from 'zod';
import type { ContractMap, RouteContract } from '#contracts/types.ts';
import { acceptedScopes, oauthScope, type RouteDeclaration } from '#platform/declaration.ts';
import { MAX_BODY_BYTES } from './http.ts';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

const problem = (description: string, headers?: JsonSchema) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
};

/** Every status `route` can answer besides its success, with when. */
export function errorResponses(route: RouteDeclaration, contract: RouteContract): Record<string, JsonSchema> {
  const hasInput = Boolean(contract.params || contract.query || contract.body);
  const responses: Record<string, JsonSchema> = {
    ...(hasInput ? { '400': problem('The request is invalid; `errors` names each bad field') } : {}),
    '401': problem('No valid bearer token'),
    '403': problem(
      route.endUser?.owner
        ? 'The token lacks the scope, or an end-user token names another user'
        : 'The token lacks the scope',
    ),
    ...(route.path.includes('{') || contract.errors?.[404]
      ? { '404': problem(contract.errors?.[404] ?? 'Nothing exists at this path') }
      : {}),
    ...(contract.errors?.[409] ? { '409': problem(contract.errors[409]) } : {}),
    ...(contract.body
      ? {
          '413': problem(`The body is over ${MAX_BODY_BYTES} bytes`),
          '415': problem('The body is not application/json'),
        }
      : {}),
    ...(contract.errors?.[422] ? { '422': problem(contract.errors[422]) } : {}),
    '429': {
      description: "Over the API's request rate (API Gateway's own answer, not problem+json)",
      content: {
        'application/json': { schema: { type: 'object', properties: { message: { type: 'string' } } } },
      },
    },
    '503': problem('A dependency is unavailable; nothing was done, retry after Retry-After', RETRY_AFTER),
  };
  return responses;
}

export function buildOpenApi(
  routes: RouteDeclaration[],
  contracts: ContractMap,
  problemSchema: z.ZodType,
): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const contract = contracts[route.operation] ?? {};
    const status = String(contract.status ?? 200);
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = {
      operationId: route.operation,
      summary: route.summary,
      tags: [route.function],
      // Alternatives: any one of these scopes reaches the route.
      security: acceptedScopes(route).map((scope) => ({ jwt: [oauthScope(scope)] })),
      parameters: [...parameters(contract.params, 'path'), ...parameters(contract.query, 'query')],
      ...(contract.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: toSchema(contract.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [status]: contract.response
          ? {
              description: 'Success',
              content: { 'application/json': { schema: toSchema(contract.response, 'output') } },
            }
          : { description: 'Success' },
        ...errorResponses(route, contract),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Marquee',
      version: '0.1.0',
      description:
        'Recommendations, audience profiles and video processing in your own AWS account. A path that exists with another method answers 405 with an Allow header; an unknown path 404.',
    },
    paths,
    components: {
      schemas: { Problem: toSchema(problemSchema, 'output') },
      securitySchemes: { jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
