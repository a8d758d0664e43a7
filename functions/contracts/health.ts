/** Contract of GET /health: each component's status and whether the API can serve. */
import * as z from 'zod';
import type { ContractMap } from './types.ts';

const Status = z.enum(['ok', 'degraded', 'down']);

const Component = z
  .object({
    status: Status,
    latencyMs: z.number().optional(),
    detail: z.string().optional(),
  })
  .catchall(z.unknown());

export const healthContracts = {
  getHealth: {
    response: z.object({
      status: Status,
      serving: z.boolean().describe('false answers 503: storage cannot be reached'),
      time: z.string(),
      components: z.record(z.string(), Component),
    }),
  },
} satisfies ContractMap;
