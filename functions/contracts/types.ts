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
}

export type ContractMap = Record<string, RouteContract>;
