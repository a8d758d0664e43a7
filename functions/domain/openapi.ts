/** Builds the OpenAPI 3.1 document from the declared routes and their zod contracts. */
import { z } from 'zod';
import type { ContractMap } from '#contracts/types.ts';
import { oauthScope, type RouteDeclaration } from '#platform/declaration.ts';

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

const PROBLEM = {
  description: 'A problem (RFC 9457) naming each bad field',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

export function buildOpenApi(
  routes: RouteDeclaration[],
  contracts: ContractMap,
  problem: z.ZodType,
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
      security: [{ jwt: [oauthScope(route.scope)] }],
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
        '400': PROBLEM,
        '401': PROBLEM,
        '403': PROBLEM,
        ...(route.path.includes('{') ? { '404': PROBLEM } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Marquee',
      version: '0.1.0',
      description: 'Recommendations, audience profiles and video processing in your own AWS account.',
    },
    paths,
    components: {
      schemas: { Problem: toSchema(problem, 'output') },
      securitySchemes: { jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
  };
}
