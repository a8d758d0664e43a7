import type { z } from 'zod';

/** What a route accepts and returns; validated at the edge and published in /openapi.json. */
export interface RouteContract {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The success response body (for documentation). */
  response?: z.ZodType;
  /** Success status, default 200. */
  status?: number;
  /**
   * What else this route answers beyond what every route can (400 for bad input, 401, 403, 404
   * for a path naming nothing, 413/415 for bodies, 429, 503): status -> when.
   */
  errors?: Partial<Record<404 | 409 | 422, string>>;
}

export type ContractMap = Record<string, RouteContract>;

/**
 * Contracts whose zod schemas are built when a route is first read, once, instead of at module
 * load: a cold start serves one route, and building every route's schemas (response schemas
 * only feed the OpenAPI document) lengthened the recommendations cold start by tens of ms.
 * Reading a route (`contracts.rankItems`, a spread, Object.entries) builds it.
 */
export function lazyContracts<M extends ContractMap>(builders: { [K in keyof M]: () => M[K] }): M {
  const contracts = {} as M;
  for (const operation of Object.keys(builders) as (keyof M & string)[]) {
    let built: M[typeof operation] | undefined;
    Object.defineProperty(contracts, operation, {
      enumerable: true,
      get: () => {
        built ??= builders[operation]();
        return built;
      },
    });
  }
  return contracts;
}
