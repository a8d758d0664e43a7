import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixture } from '../../support/fixtures.ts';
import { DynamoProfileStore } from '#adapters/profiles/dynamo-profile-store.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});

afterAll(async () => {
  await platform?.stop();
});

const problemFields = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

describe('health and documentation', () => {
  it('answers GET /health with each component: serving, degraded while no model is trained', async () => {
    const response = await platform.api('GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'degraded',
      serving: true,
      components: {
        storage: { status: 'ok' },
        objectStore: { status: 'ok' },
        models: { status: 'degraded' },
      },
    });
    expect(response.body.components.models.detail).toContain('fallback');
    expect(response.body.local.emulators['DynamoDB Local']).toEqual({ state: 'up', restarts: 0 });
  });

  it('serves an OpenAPI document listing every declared route', async () => {
    const { routes } = await import('#platform/declaration.ts');
    const response = await platform.api('GET', '/openapi.json');
    expect(response.status).toBe(200);
    for (const route of routes) {
      expect(response.body.paths[route.path]?.[route.method.toLowerCase()]?.operationId).toBe(
        route.operation,
      );
    }
    expect(
      response.body.paths['/events'].post.requestBody.content['application/json'].schema.properties.events
        .maxItems,
    ).toBe(100);
  });

  it('lists every status each route can answer, errors as problem+json, and the scopes that reach it', async () => {
    const { routes } = await import('#platform/declaration.ts');
    const { paths } = (await platform.api('GET', '/openapi.json')).body;
    const problemRef = { $ref: '#/components/schemas/Problem' };
    for (const route of routes) {
      const operation = paths[route.path][route.method.toLowerCase()];
      const statuses = Object.keys(operation.responses);
      for (const status of ['401', '403', '429', '503']) expect(statuses, route.operation).toContain(status);
      if (operation.requestBody)
        expect(statuses, route.operation).toEqual(expect.arrayContaining(['400', '413', '415']));
      if (route.path.includes('{')) expect(statuses, route.operation).toContain('404');
      for (const status of statuses.filter((s) => s >= '400' && s !== '429'))
        expect(operation.responses[status].content['application/problem+json'].schema).toEqual(problemRef);
      expect(operation.responses['503'].headers['Retry-After']).toBeDefined();
      const scopes = operation.security.map((requirement: { jwt: string[] }) => requirement.jwt[0]);
      expect(scopes, route.operation).toContain(`marquee/${route.scope}`);
      expect(scopes.includes('marquee/self'), route.operation).toBe(route.endUser !== undefined);
    }
    expect(Object.keys(paths['/events'].post.responses)).toContain('409');
    expect(paths['/users/{userId}/recommendations'].get.security).toEqual([
      { jwt: ['marquee/read'] },
      { jwt: ['marquee/write'] },
      { jwt: ['marquee/admin'] },
      { jwt: ['marquee/self'] },
    ]);
  });

  it('answers unknown paths with 404 and wrong methods with 405, both as problem+json', async () => {
    const missing = await platform.api('GET', '/no/such/thing');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    const wrongMethod = await platform.api('PATCH', '/items/abc', {});
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toContain('GET');
  });
});

describe('items', () => {
  it('stores an item and reads it back, keeping createdAt across replacements', async () => {
    const item = loadFixture('apigw', 'put-item');
    const created = await platform.api('PUT', '/items/long-night', item);
    expect(created.status).toBe(200);
    const replaced = await platform.api('PUT', '/items/long-night', { ...item, title: 'The Longest Night' });
    expect(replaced.body.createdAt).toBe(created.body.createdAt);
    const read = await platform.api('GET', '/items/long-night');
    expect(read.body).toMatchObject({
      itemId: 'long-night',
      title: 'The Longest Night',
      genres: ['Drama', 'Thriller'],
      playable: false,
    });
  });

  it('answers an unknown item with 404 problem+json', async () => {
    const response = await platform.api('GET', '/items/never-stored');
    expect(response.status).toBe(404);
    expect(response.body.title).toBe('Not found');
  });

  it('rejects a bad item naming every bad field', async () => {
    const response = await platform.api('PUT', '/items/bad', {
      title: '',
      genres: 'Drama',
      durationSec: -5,
      colour: 'red',
    });
    expect(response.status).toBe(400);
    expect(problemFields(response.body)).toEqual(
      expect.arrayContaining(['title', 'genres', 'durationSec', 'colour']),
    );
  });

  it('writes nothing from a batch with one bad item', async () => {
    const items = Array.from({ length: 5 }, (_, i) => ({
      itemId: `batch-${i}`,
      title: `Batch ${i}`,
      genres: ['Drama'],
    }));
    items[3] = { ...items[3], title: 42 as unknown as string };
    const rejected = await platform.api('POST', '/items/batch', { items });
    expect(rejected.status).toBe(400);
    expect(problemFields(rejected.body)).toEqual(['items[3].title']);
    expect((await platform.api('GET', '/items/batch-0')).status).toBe(404);
  });

  it('stores a valid batch and refuses batches over 100 or with duplicate ids', async () => {
    const items = Array.from({ length: 100 }, (_, i) => ({ itemId: `many-${i}`, title: `Many ${i}` }));
    expect((await platform.api('POST', '/items/batch', { items })).body).toEqual({ stored: 100 });
    const tooMany = await platform.api('POST', '/items/batch', {
      items: [...items, { itemId: 'x', title: 'x' }],
    });
    expect(tooMany.status).toBe(400);
    expect(problemFields(tooMany.body)).toEqual(['items']);
    const duplicated = await platform.api('POST', '/items/batch', { items: [items[0], items[0]] });
    expect(duplicated.status).toBe(400);
    expect(problemFields(duplicated.body)).toEqual(['items[1].itemId']);
  });
});

describe('users', () => {
  it('stores attributes and reads them back', async () => {
    const put = await platform.api('PUT', '/users/ada', {
      age: 36,
      gender: 'f',
      country: 'GB',
      plan: 'premium',
    });
    expect(put.status).toBe(200);
    expect((await platform.api('GET', '/users/ada')).body).toMatchObject({
      userId: 'ada',
      country: 'GB',
      plan: 'premium',
    });
  });

  it('rejects out-of-range and mistyped attributes by name', async () => {
    const response = await platform.api('PUT', '/users/ada', { age: 400, country: 'Britain' });
    expect(response.status).toBe(400);
    expect(problemFields(response.body).sort()).toEqual(['age', 'country']);
  });

  it('refuses free attributes that are too deep, too many or too large with 400 naming the field', async () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 40; i++) deep = { deeper: deep };
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
    const large = { text: 'x'.repeat(9_000) };

    for (const attributes of [deep, many, large]) {
      const user = await platform.api('PUT', '/users/ada', { attributes });
      const item = await platform.api('PUT', '/items/attr-item', { title: 'T', attributes });
      for (const response of [user, item]) {
        expect(response.status).toBe(400);
        expect(problemFields(response.body)).toEqual(['attributes']);
      }
    }
    const fine = await platform.api('PUT', '/users/ada', { attributes: { tier: { level: 2, tags: ['a'] } } });
    expect(fine.status).toBe(200);
  });

  it('rejects ids that are too long or contain control characters', async () => {
    const long = await platform.api('GET', `/users/${'x'.repeat(257)}`);
    expect(long.status).toBe(400);
    expect(problemFields(long.body)).toEqual(['path.userId']);
    const control = await platform.api('GET', `/users/${encodeURIComponent('bad\u0007id')}`);
    expect(control.status).toBe(400);
    expect(control.body.errors[0].message).toContain('control characters');
  });
});

describe('events', () => {
  it('stores a batch once even when it is retried', async () => {
    const batch = loadFixture('apigw', 'post-events');
    const first = await platform.api('POST', '/events', batch);
    expect(first.status).toBe(202);
    expect(first.body.eventIds).toEqual(['e-fixture-1', 'e-fixture-2', 'e-fixture-3']);
    await platform.api('POST', '/events', batch);
    const listed = await platform.api('GET', '/users/fixture-user/events?limit=100');
    expect(listed.body.events).toHaveLength(3);
  });

  it('refuses a batch that repeats an event id, naming the repeat, and stores none of it', async () => {
    const event = (eventId: string) => ({ eventId, userId: 'repeater', itemId: 'i1', type: 'play' });

    const response = await platform.api('POST', '/events', { events: [event('a'), event('b'), event('a')] });

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { field: 'events[2].eventId', message: 'repeats events[0].eventId' },
    ]);
    expect((await platform.api('GET', '/users/repeater/events')).body.events).toEqual([]);
  });

  it('lists a user newest first, in pages', async () => {
    const base = Date.now() - 60_000;
    const events = Array.from({ length: 7 }, (_, i) => ({
      userId: 'pager',
      itemId: `i${i}`,
      type: 'view',
      timestamp: base + i * 1000,
    }));
    await platform.api('POST', '/events', { events });
    const first = await platform.api('GET', '/users/pager/events?limit=3');
    expect(first.body.events.map((e: { itemId: string }) => e.itemId)).toEqual(['i6', 'i5', 'i4']);
    const second = await platform.api('GET', `/users/pager/events?limit=3&cursor=${first.body.cursor}`);
    expect(second.body.events.map((e: { itemId: string }) => e.itemId)).toEqual(['i3', 'i2', 'i1']);
  });

  it('rejects a batch with one bad event and stores none of it', async () => {
    const now = Date.now();
    const response = await platform.api('POST', '/events', {
      events: [
        { userId: 'atomic', itemId: 'a', type: 'play', timestamp: now - 1000 },
        { userId: 'atomic', itemId: 'b', type: 'play', timestamp: now + 86_400_000 },
      ],
    });
    expect(response.status).toBe(400);
    expect(problemFields(response.body)).toEqual(['events[1].timestamp']);
    expect((await platform.api('GET', '/users/atomic/events')).body.events).toEqual([]);
  });

  it('names unknown types, missing ids, wrong types and unknown fields', async () => {
    const response = await platform.api('POST', '/events', {
      events: [
        { userId: '', itemId: 'x', type: 'binge' },
        { itemId: 5, type: 'view', value: 'high', extra: true },
      ],
    });
    expect(response.status).toBe(400);
    expect(problemFields(response.body)).toEqual(
      expect.arrayContaining([
        'events[0].userId',
        'events[0].type',
        'events[1].userId',
        'events[1].itemId',
        'events[1].value',
        'events[1].extra',
      ]),
    );
  });

  it('refuses malformed JSON, wrong media types, empty and oversized batches', async () => {
    const malformed = await platform.api('POST', '/events', '{"events": [', {
      'content-type': 'application/json',
    });
    expect(malformed.status).toBe(400);
    expect(problemFields(malformed.body)).toEqual(['body']);
    const text = await platform.api('POST', '/events', 'userId=a', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    const empty = await platform.api('POST', '/events', { events: [] });
    expect(problemFields(empty.body)).toEqual(['events']);
    const tooMany = await platform.api('POST', '/events', {
      events: Array.from({ length: 101 }, () => ({ userId: 'u', itemId: 'i', type: 'view' })),
    });
    expect(tooMany.status).toBe(400);
    const huge = await platform.api('POST', '/events', {
      events: [{ userId: 'u', itemId: 'x'.repeat(2_000_000), type: 'view' }],
    });
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toBe('application/problem+json');
  });

  it('rejects bad paging parameters by name', async () => {
    const badLimit = await platform.api('GET', '/users/pager/events?limit=0');
    expect(problemFields(badLimit.body)).toEqual(['query.limit']);
    const badCursor = await platform.api('GET', '/users/pager/events?cursor=not-a-cursor');
    expect(problemFields(badCursor.body)).toEqual(['query.cursor']);
    const unknown = await platform.api('GET', '/users/pager/events?colour=red');
    expect(problemFields(unknown.body)).toEqual(['query.colour']);
  });

  it('refuses a tampered cursor and one handed out for another user with 400, never 500', async () => {
    const encode = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const events = Array.from({ length: 5 }, (_, i) => ({
      userId: 'cursor-owner',
      itemId: `c${i}`,
      type: 'view',
    }));
    expect((await platform.api('POST', '/events', { events })).status).toBe(202);
    const page = await platform.api('GET', '/users/cursor-owner/events?limit=2');
    const genuine = JSON.parse(Buffer.from(page.body.cursor, 'base64url').toString('utf8'));

    const tampered = [
      encode({ hello: 'world' }),
      encode({ ...genuine, ts: { nested: true } }),
      encode({ ...genuine, extra: 1 }),
      encode([1, 2]),
    ];
    const foreign = encode({ ...genuine, userId: 'someone-else' });

    for (const cursor of [...tampered, foreign]) {
      const response = await platform.api('GET', `/users/cursor-owner/events?cursor=${cursor}`);
      expect(response.status, cursor).toBe(400);
      expect(problemFields(response.body)).toEqual(['query.cursor']);
    }
    const next = await platform.api('GET', `/users/cursor-owner/events?limit=2&cursor=${page.body.cursor}`);
    expect(next.status).toBe(200);
  });
});

describe('erasure', () => {
  it('forgets a user: events, attributes and profile', async () => {
    await platform.api('PUT', '/users/erase-me', { country: 'FR' });
    await platform.api('POST', '/events', {
      events: Array.from({ length: 30 }, (_, i) => ({ userId: 'erase-me', itemId: `i${i}`, type: 'play' })),
    });
    const erased = await platform.api('DELETE', '/users/erase-me');
    expect(erased.status).toBe(204);
    expect((await platform.api('GET', '/users/erase-me')).status).toBe(404);
    expect((await platform.api('GET', '/users/erase-me/events')).body.events).toEqual([]);
  });

  it('stores nothing about an erased user again: events and attributes are refused with 409 naming the field', async () => {
    expect((await platform.api('DELETE', '/users/gone')).status).toBe(204);

    const events = await platform.api('POST', '/events', {
      events: [
        { userId: 'still-here', itemId: 'i1', type: 'play' },
        { userId: 'gone', itemId: 'i1', type: 'play' },
      ],
    });
    // 60 users and 60 events do not fit one transaction with their erasure checks: checked around it.
    const wide = await platform.api('POST', '/events', {
      events: Array.from({ length: 60 }, (_, i) => ({
        userId: i === 59 ? 'gone' : `wide-${i}`,
        itemId: 'i1',
        type: 'play',
      })),
    });
    const attributes = await platform.api('PUT', '/users/gone', { country: 'FR' });

    for (const refused of [events, wide]) {
      expect(refused.status).toBe(409);
      expect(refused.body.detail).toContain("'gone' was erased");
    }
    expect(events.body.errors).toEqual([{ field: 'events[1].userId', message: 'was erased' }]);
    expect(wide.body.errors).toEqual([{ field: 'events[59].userId', message: 'was erased' }]);
    expect(attributes.status).toBe(409);
    // The refused batches wrote nothing, for anyone.
    expect((await platform.api('GET', '/users/still-here/events')).body.events).toEqual([]);
    expect((await platform.api('GET', '/users/wide-0/events')).body.events).toEqual([]);
    expect((await platform.api('GET', '/users/gone')).status).toBe(404);
  });

  it('keeps a profile written after the erasure from coming back (a retrain that read the user before)', async () => {
    const profiles = new DynamoProfileStore(platform.names.PROFILES_TABLE);
    const summary = {
      userId: 'late-profile',
      lowConfidence: false,
      scoredAt: new Date().toISOString(),
      modelVersions: { segments: '000001', anomaly: '000001', churn: '000001' },
      segmentId: 'seg-1',
    };
    await profiles.putAll([summary]);
    expect(await profiles.get('late-profile')).toBeDefined();

    expect((await platform.api('DELETE', '/users/late-profile')).status).toBe(204);
    await profiles.putAll([summary, { ...summary, userId: 'other-profile' }]);
    await profiles.put(summary);

    expect(await profiles.get('late-profile')).toBeUndefined();
    expect(await profiles.get('other-profile')).toBeDefined();
    const members = await profiles.listBySegment('seg-1', { limit: 10 });
    expect(members.items.map((m) => m.userId)).toEqual(['other-profile']);
  });
});

describe('the events store read by serving and profiles', () => {
  const at = Date.UTC(2026, 10, 1);
  const eventsOf = (userId: string, count: number) =>
    Array.from({ length: count }, (_, n) => ({
      // Event ids run against time, so the base table's order (by eventId) is not the newest first.
      eventId: `e${String(count - n).padStart(4, '0')}`,
      userId,
      itemId: `i${n}`,
      type: 'view' as const,
      timestamp: at + n * 60_000,
    }));

  it('latestByUser returns every event of a short history, newest first', async () => {
    const { DynamoEventStore } = await import('#adapters/dynamodb/catalog-stores.ts');
    const store = new DynamoEventStore(platform.names.EVENTS_TABLE, 0, platform.names.USERS_TABLE);
    await store.putAll(eventsOf('latest-short', 7));

    const latest = await store.latestByUser('latest-short', 10);

    expect(latest.map((e) => e.itemId)).toEqual(['i6', 'i5', 'i4', 'i3', 'i2', 'i1', 'i0']);
  });

  it('latestByUser returns the newest max of a longer history, not the first max by event id', async () => {
    const { DynamoEventStore } = await import('#adapters/dynamodb/catalog-stores.ts');
    const store = new DynamoEventStore(platform.names.EVENTS_TABLE, 0, platform.names.USERS_TABLE);
    await store.putAll(eventsOf('latest-long', 25));

    const exact = await store.latestByUser('latest-long', 25);
    const latest = await store.latestByUser('latest-long', 10);

    expect(exact).toHaveLength(25);
    expect(latest.map((e) => e.itemId)).toEqual(Array.from({ length: 10 }, (_, n) => `i${24 - n}`));
  });

  it("latestByUser spends its budget on the user's own events, not on the impressions of lists shown since", async () => {
    // Prepare: 12 plays, then 30 lists of 10 impressions each, all newer than the plays.
    const { DynamoEventStore } = await import('#adapters/dynamodb/catalog-stores.ts');
    const store = new DynamoEventStore(platform.names.EVENTS_TABLE, 0, platform.names.USERS_TABLE);
    const plays = eventsOf('crowded', 12).map((e) => ({ ...e, type: 'play' as const }));
    const impressions = Array.from({ length: 300 }, (_, n) => ({
      eventId: `imp${String(n).padStart(4, '0')}`,
      userId: 'crowded',
      itemId: `shown${n % 40}`,
      type: 'impression' as const,
      timestamp: at + 3_600_000 + n * 1000,
    }));
    for (let n = 0; n < impressions.length; n += 88) await store.putAll(impressions.slice(n, n + 88));
    await store.putAll(plays);

    // Act
    const latest = await store.latestByUser('crowded', 10);

    // Assess: the newest 10 plays, and no impression.
    expect(latest.map((e) => e.itemId)).toEqual(Array.from({ length: 10 }, (_, n) => `i${11 - n}`));
  });

  it("a profile's event budget is spent on the user's own events, not on impressions", async () => {
    // Prepare: 5 views, then 50 impressions, newer.
    const { DynamoEventStore } = await import('#adapters/dynamodb/catalog-stores.ts');
    const { DynamoProfileEvents } = await import('#adapters/profiles/dynamo-profile-events.ts');
    const store = new DynamoEventStore(platform.names.EVENTS_TABLE, 0, platform.names.USERS_TABLE);
    await store.putAll(eventsOf('profile-crowded', 5));
    await store.putAll(
      Array.from({ length: 50 }, (_, n) => ({
        eventId: `imp${n}`,
        userId: 'profile-crowded',
        itemId: `shown${n}`,
        type: 'impression' as const,
        timestamp: at + 3_600_000 + n * 1000,
      })),
    );

    // Act
    const events = await new DynamoProfileEvents(platform.names.EVENTS_TABLE).between(
      'profile-crowded',
      { from: at, to: at + 86_400_000 },
      5,
    );

    // Assess
    expect(events.map((e) => e.itemId)).toEqual(['i4', 'i3', 'i2', 'i1', 'i0']);
  });

  it('listByUser hands on a cursor until the history is read, pages of any size', async () => {
    const { DynamoEventStore } = await import('#adapters/dynamodb/catalog-stores.ts');
    const store = new DynamoEventStore(platform.names.EVENTS_TABLE, 0, platform.names.USERS_TABLE);
    await store.putAll(eventsOf('paged', 9));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.listByUser('paged', { limit: 4, cursor });
      seen.push(...page.items.map((e) => e.itemId));
      cursor = page.cursor;
      pages++;
    } while (cursor && pages < 10);

    expect(seen).toEqual(Array.from({ length: 9 }, (_, n) => `i${8 - n}`));
    expect(pages).toBe(3);
  });
});
