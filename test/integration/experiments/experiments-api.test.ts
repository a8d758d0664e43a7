import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamodb/client.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

const items = Array.from({ length: 12 }, (_, i) => ({
  itemId: `i${i}`,
  title: `Title ${i}`,
  genres: ['Drama'],
}));

describe('experiments and attribution on the local platform', () => {
  let platform: TestPlatform;
  let experimentId: string;
  const variantOf: Record<string, string> = {};

  const recommend = async (userId: string, query = '') => {
    const answer = await platform.api('GET', `/users/${userId}/recommendations?k=3${query}`);
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const rowsOf = async (userId: string) =>
    (
      await documentClient().send(
        new QueryCommand({
          TableName: platform.names.EXPOSURES_TABLE,
          KeyConditionExpression: 'userId = :u',
          ExpressionAttributeValues: { ':u': userId },
        }),
      )
    ).Items ?? [];

  beforeAll(async () => {
    // Prepare: a small catalogue with a few plays, so the fallback ranking has lists to show;
    // running experiments are re-read on every request.
    platform = await startTestPlatform({ env: { EXPERIMENTS_REFRESH_MS: '0', RECS_FALLBACK_TTL_MS: '0' } });
    expect((await platform.api('POST', '/items/batch', { items })).status).toBe(200);
    const plays = items
      .slice(0, 6)
      .map((item, i) => ({ userId: 'seed', itemId: item.itemId, type: 'play', value: 60 * (i + 1) }));
    expect((await platform.api('POST', '/events', { events: plays })).status).toBe(202);
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('refuses bad experiments with the field named', async () => {
    const base = {
      name: 'popularity vs ease',
      surface: 'recommendations',
      variants: [
        { name: 'control', model: 'popularity', weight: 1 },
        { name: 'treatment', model: 'ease', weight: 1 },
      ],
    };
    const zero = await platform.api('POST', '/experiments', {
      ...base,
      variants: base.variants.map((v) => ({ ...v, weight: 0 })),
    });
    expect(zero.status).toBe(400);
    expect(zero.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(zero.body)).toContain('body.variants');
    const unknown = await platform.api('POST', '/experiments', {
      ...base,
      variants: [base.variants[0], { ...base.variants[1], model: 'oracle' }],
    });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('body.variants[1].model');

    const created = await platform.api('POST', '/experiments', base);
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('running');
    experimentId = created.body.experimentId;

    const overlapping = await platform.api('POST', '/experiments', base);
    expect(overlapping.status).toBe(409);
    expect(JSON.stringify(overlapping.body)).toContain('body.surface');
    expect((await platform.api('GET', '/experiments')).body.experiments).toHaveLength(1);
  });

  it('stamps every list with a signed id, the sticky variant and positions', async () => {
    for (const user of ['u1', 'u2', 'u3', 'u4']) {
      const first = await recommend(user);
      const again = await recommend(user);
      variantOf[user] = first.variant;
      expect(first.experimentId).toBe(experimentId);
      expect(['control', 'treatment']).toContain(first.variant);
      expect(again.variant).toBe(first.variant);
      expect(first.items.map((item: { position: number }) => item.position)).toEqual([1, 2, 3]);
      expect(first.recommendationId).toMatch(/^[\w-]+\.[\w-]+$/);
    }
    const explicit = await recommend('u1', '&model=popularity');
    expect(explicit.variant).toBeUndefined();
    const trending = await platform.api('GET', '/trending?k=2');
    expect(trending.body.recommendationId).toBeTruthy();
    expect(trending.body.items[0].position).toBe(1);
  });

  it("refuses a forged id or another user's list with 400 naming the field, storing nothing", async () => {
    const list = await recommend('u1');
    const [body, signature] = list.recommendationId.split('.');
    const forged = `${body}.${signature.slice(0, -2)}AA`;
    const before = (await platform.api('GET', '/users/u1/events?limit=100')).body.events.length;

    const bad = await platform.api('POST', '/events', {
      events: [
        {
          userId: 'u1',
          itemId: list.items[0].itemId,
          type: 'impression',
          recommendationId: list.recommendationId,
          position: 1,
        },
        { userId: 'u1', itemId: list.items[0].itemId, type: 'click', recommendationId: forged, position: 1 },
      ],
    });
    const foreign = await platform.api('POST', '/events', {
      events: [
        { userId: 'u2', itemId: list.items[0].itemId, type: 'play', recommendationId: list.recommendationId },
      ],
    });

    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('events[1].recommendationId');
    expect(foreign.status).toBe(400);
    expect(JSON.stringify(foreign.body)).toContain("another user's list");
    expect((await platform.api('GET', '/users/u1/events?limit=100')).body.events.length).toBe(before);
  });

  it('counts streamed impressions and plays per variant, once each, attributing plays without an id by the window rule', async () => {
    // Act: each user sees a list; u1 and u2 play its first item without an id, u1 twice with the same event id
    const lists: Record<string, { recommendationId: string; items: { itemId: string; position: number }[] }> =
      {};
    for (const user of ['u1', 'u2', 'u3', 'u4']) {
      lists[user] = await recommend(user);
      const impressions = lists[user].items.map((item) => ({
        userId: user,
        itemId: item.itemId,
        type: 'impression',
        recommendationId: lists[user].recommendationId,
        position: item.position,
      }));
      expect((await platform.api('POST', '/events', { events: impressions })).status).toBe(202);
    }
    // A list whose model the caller chose stays out of the figures.
    const explicit = await recommend('u3', '&model=popularity');
    await platform.api('POST', '/events', {
      events: [
        {
          userId: 'u3',
          itemId: explicit.items[0].itemId,
          type: 'impression',
          recommendationId: explicit.recommendationId,
          position: 1,
        },
      ],
    });
    const play = (user: string) => ({
      eventId: `play-${user}`,
      userId: user,
      itemId: lists[user].items[0].itemId,
      type: 'play',
      value: 300,
    });
    for (const user of ['u1', 'u2', 'u1'])
      expect((await platform.api('POST', '/events', { events: [play(user)] })).status).toBe(202);
    await platform.settle();

    // Assess
    const results = await platform.api('GET', `/experiments/${experimentId}/results`);
    expect(results.status).toBe(200);
    const byName = Object.fromEntries(results.body.variants.map((v: { name: string }) => [v.name, v]));
    const expected = (variant: string) => {
      const users = Object.keys(variantOf).filter((u) => variantOf[u] === variant);
      return {
        users: users.length,
        impressions: users.length * 3,
        plays: users.filter((u) => u === 'u1' || u === 'u2').length,
      };
    };
    for (const variant of ['control', 'treatment']) expect(byName[variant]).toMatchObject(expected(variant));
    expect(results.body.verdict).toBe('not yet');
    expect(results.body.method).toContain('Johari');
    const attribution = (await rowsOf('u1')).find((row) => row.record === 'attribution#play-u1');
    expect(attribution).toMatchObject({
      rule: 'window',
      recommendationId: lists.u1.recommendationId,
      position: 1,
    });
  });

  it('stops an experiment once: a second stop is a conflict', async () => {
    const stopped = await platform.api('POST', `/experiments/${experimentId}/stop`);
    expect(stopped.status).toBe(200);
    expect(stopped.body.status).toBe('stopped');
    const again = await platform.api('POST', `/experiments/${experimentId}/stop`);
    expect(again.status).toBe(409);
    expect((await recommend('u1')).variant).toBeUndefined();
    expect((await platform.api('GET', '/experiments/exp-missing')).status).toBe(404);
  });

  it('erasing a user removes their exposures, attributions and experiment tallies', async () => {
    expect((await rowsOf('u1')).length).toBeGreaterThan(0);
    expect((await platform.api('DELETE', '/users/u1')).status).toBe(204);
    expect(await rowsOf('u1')).toEqual([]);
  });
});
