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

  it('nests service scopes: an admin token reads and writes, a write token reads', async () => {
    const admin = { authorization: `Bearer ${platform.auth!.issue('ops', ['marquee/admin'])}` };
    const writer = { authorization: `Bearer ${platform.auth!.issue('ingest', ['marquee/write'])}` };

    expect((await platform.api('GET', '/health', undefined, admin)).status).toBe(200);
    expect((await platform.api('GET', '/users/nested/events', undefined, admin)).status).toBe(200);
    expect((await platform.api('GET', '/users/nested/events', undefined, writer)).status).toBe(200);
    expect((await platform.api('DELETE', '/users/nested', undefined, writer)).status).toBe(403);
    expect((await platform.api('DELETE', '/users/nested', undefined, admin)).status).toBe(204);
  });

  it("limits an end-user (self) token to its own data and refuses a batch naming someone else's", async () => {
    const alice = { authorization: `Bearer ${platform.auth!.issue('alice', ['marquee/self'])}` };
    const event = (userId: string, itemId: string) => ({ userId, itemId, type: 'play' });

    const own = await platform.api('POST', '/events', { events: [event('alice', 'a1')] }, alice);
    const mixed = await platform.api(
      'POST',
      '/events',
      { events: [event('alice', 'a2'), event('bob', 'b1')] },
      alice,
    );
    const ownHistory = await platform.api('GET', '/users/alice/events', undefined, alice);
    const othersHistory = await platform.api('GET', '/users/bob/events', undefined, alice);
    const catalog = await platform.api('GET', '/items/a1', undefined, alice);

    expect(own.status).toBe(202);
    expect(mixed.status).toBe(403);
    expect(mixed.body.detail).toContain('events[1].userId');
    expect(ownHistory.status).toBe(200);
    // The refused batch wrote nothing: alice has only her first event, bob none.
    expect(ownHistory.body.events.map((e: { itemId: string }) => e.itemId)).toEqual(['a1']);
    expect((await platform.api('GET', '/users/bob/events')).body.events).toEqual([]);
    expect(othersHistory.status).toBe(403);
    expect(othersHistory.body.detail).toContain('path.userId');
    expect(catalog.status).toBe(404);
    for (const [method, path] of [
      ['GET', '/models'],
      ['GET', '/anomalies'],
      ['GET', '/segments'],
      ['DELETE', '/users/alice'],
    ] as const) {
      expect((await platform.api(method, path, undefined, alice)).status).toBe(403);
    }
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
      requestContext: {
        requestId: 'r',
        http: { method: 'GET', path: '/items/x' },
        authorizer: { jwt: { claims: { sub: 'tester' }, scopes: ['marquee/read'] } },
      },
      isBase64Encoded: false,
    };
    await expect(platform.runtime.invoke('catalog', event, 1)).rejects.toBeInstanceOf(FunctionTimeoutError);
    const answered = (await platform.runtime.invoke('catalog', event)) as { statusCode: number };
    expect(answered.statusCode).toBe(404);
  });
});
