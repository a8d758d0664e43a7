/** Serves the OpenAPI document, built once per cold start from the declaration and contracts. */
import { Problem } from '#contracts/common.ts';
import { contracts } from '#contracts/index.ts';
import { buildOpenApi } from '#edge/openapi.ts';
import { httpHandler } from '#edge/http.ts';
import { routes } from '#platform/declaration.ts';

const document = buildOpenApi(routes, contracts, Problem);

export const handler = httpHandler(
  'openapi',
  { getOpenApi: {} },
  {
    getOpenApi: async () => ({ status: 200, body: document }),
  },
);
