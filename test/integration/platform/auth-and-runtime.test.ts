import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionTimeoutError } from '#local/lambda-runtime.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({ auth: true });
});

afterAll(async () => {
  await platform?.stop();
});

describe('scopes, as the cloud JWT authorizer enforces them', () => {
  it('refuses a request without a token with 401', async () => {
    const response = await platform.api('GET', '/health', undefined, { authorization: '' });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('refuses a forged token with 401', async () => {
    const response = await platform.api('GET', '/health', undefined, {
      authorization: `Bearer ${platform.token}x`,
    });
    expect(response.status).toBe(401);
  });

  it('refuses a read-only token on write and admin routes with 403, and serves its reads', async () => {
    const readOnly = { authorization: `Bearer ${platform.auth!.issue('viewer', ['marquee/read'])}` };
    const write = await platform.api(
      'POST',
      '/events',
      { events: [{ userId: 'u', itemId: 'i', type: 'view' }] },
      readOnly,
    );
    expect(write.status).toBe(403);
    expect(write.body.detail).toContain('marquee/write');
    expect((await platform.api('DELETE', '/users/u', undefined, readOnly)).status).toBe(403);
    expect((await platform.api('GET', '/health', undefined, readOnly)).status).toBe(200);
  });

  it('passes the granted scopes to the function', async () => {
    const writer = { authorization: `Bearer ${platform.auth!.issue('writer', ['marquee/write'])}` };
    const response = await platform.api(
      'POST',
      '/events',
      { events: [{ userId: 'u', itemId: 'i', type: 'view' }] },
      writer,
    );
    expect(response.status).toBe(202);
  });
});

describe('the local Lambda runtime', () => {
  it('stops an invocation that outlives its timeout', async () => {
    const event = {
      version: '2.0',
      routeKey: 'GET /items/{itemId}',
      rawPath: '/items/x',
      headers: {},
      pathParameters: { itemId: 'x' },
      requestContext: { requestId: 'r', http: { method: 'GET', path: '/items/x' } },
      isBase64Encoded: false,
    };
    await expect(platform.runtime.invoke('catalog', event, 1)).rejects.toBeInstanceOf(FunctionTimeoutError);
    const answered = (await platform.runtime.invoke('catalog', event)) as { statusCode: number };
    expect(answered.statusCode).toBe(404);
  });
});
