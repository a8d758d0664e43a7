import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMarqueeClient, MarqueeApiError, unwrap } from '#client/index.ts';
import { CLIENT_SCHEMA_FILE, renderClientSchema } from '../../../scripts/generate-client.ts';

describe('the typed TypeScript client', () => {
  it('is generated from the OpenAPI document the declaration and contracts build now (run npm run client)', async () => {
    const committed = readFileSync(CLIENT_SCHEMA_FILE, 'utf8');

    const fresh = await renderClientSchema();

    // A plain equality: a diff of 2,000 lines helps nobody, the message says what to run.
    expect(fresh === committed, 'clients/ts/schema.ts is stale: run `npm run client` and commit it').toBe(
      true,
    );
  });

  it('sends the bearer token and surfaces a problem+json answer as a typed MarqueeApiError', async () => {
    const seen: Request[] = [];
    const problem = {
      type: 'about:blank',
      title: 'Bad request',
      status: 400,
      detail: 'query.k must be between 1 and 100',
      errors: [{ field: 'query.k', message: 'must be between 1 and 100' }],
    };
    const client = createMarqueeClient({
      baseUrl: 'http://marquee.test/',
      token: () => 'token-1',
      // openapi-fetch hands fetch a Request.
      fetch: async (input) => {
        seen.push(input as Request);
        return new Response(JSON.stringify(problem), {
          status: 400,
          headers: { 'content-type': 'application/problem+json' },
        });
      },
    });

    const error = await unwrap(client.GET('/trending', { params: { query: { k: 500 } } })).catch((e) => e);

    expect(seen[0].url).toBe('http://marquee.test/trending?k=500');
    expect(seen[0].headers.get('authorization')).toBe('Bearer token-1');
    expect(error).toBeInstanceOf(MarqueeApiError);
    expect(error.status).toBe(400);
    expect(error.problem.errors).toEqual([{ field: 'query.k', message: 'must be between 1 and 100' }]);
  });

  it('turns a body that is not a problem (a proxy HTML page) into one with the text as detail', async () => {
    const client = createMarqueeClient({
      baseUrl: 'http://marquee.test',
      fetch: async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    });

    const error = await unwrap(client.GET('/health')).catch((e) => e);

    expect(error.problem).toEqual({
      type: 'about:blank',
      title: 'Bad Gateway',
      status: 502,
      detail: '<html>bad gateway</html>',
    });
  });
});
