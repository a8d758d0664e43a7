/**
 * Before any model exists (a fresh deploy, `npm start --no-seed`): every recommendation route
 * answers 200 from the fallback computed from what is stored, named `fallback` with reasons that
 * say so; an id nobody knows is still a 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamodb/client.ts';
import { DynamoCatalogItems } from '#adapters/models/dynamo-catalog-reads.ts';
import { DynamoModelRecords } from '#adapters/models/dynamo-model-records.ts';
import { scheduledEvent } from '#local/event-bus.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

const retrainEvent = (reason: string) => scheduledEvent({ reason }, new Date());

interface Answer {
  model: string;
  version: string;
  items: { itemId: string; score: number | null; reason: string }[];
}

describe('recommendation routes before the first training', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    // Prepare: an empty platform; the fallback is recomputed on every request.
    platform = await startTestPlatform({ env: { RECS_FALLBACK_TTL_MS: '0', MODEL_REFRESH_MS: '0' } });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('answers 200 with no item at all when the store is empty', async () => {
    const answer = await platform.api('GET', '/users/anyone/recommendations?k=5');

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ model: 'fallback', version: 'none', items: [] });
  });

  it('a retrain over the empty store is a normal outcome for every family, shown on GET /models', async () => {
    const result = (await platform.runtime.invoke('retrain', retrainEvent('first start'))) as Record<
      string,
      { ok: boolean; result: unknown }
    >;
    const models = await platform.api('GET', '/models');

    const skipped = { ok: true, result: { skipped: 'nothing to train on yet: no items and no events' } };
    expect(result.recommendations).toEqual(skipped);
    expect(result.profiles).toEqual(skipped);
    expect(models.status).toBe(200);
    expect(models.body.retrain.lastRun).toMatchObject({ reason: 'first start', state: 'succeeded' });
  });

  it('refuses a retrain while another holds the lease, and says so on GET /models', async () => {
    // Prepare: a run holding the lease (as a nightly run would, mid-way).
    const records = new DynamoModelRecords(platform.names.MODELS_TABLE);
    const now = new Date();
    const holder = {
      runId: 'nightly-run',
      reason: 'schedule',
      startedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 960_000).toISOString(),
      state: 'running' as const,
    };
    expect(await records.acquireRun(holder, now)).toEqual({ acquired: true });

    // Act
    const refused = await platform.runtime.invoke('retrain', retrainEvent('manual'));
    const models = await platform.api('GET', '/models');
    await records.finishRun('nightly-run', 'succeeded', new Date());
    const after = (await platform.runtime.invoke('retrain', retrainEvent('manual'))) as Record<
      string,
      unknown
    >;

    // Assess
    expect(refused).toEqual({ refused: expect.stringMatching(/another retrain \(schedule, started /) });
    expect(models.body.retrain).toMatchObject({
      lastRun: { runId: 'nightly-run', state: 'running' },
      lastRefused: { reason: 'manual', refusal: expect.stringMatching(/holds the lease until/) },
    });
    expect(after.refused).toBeUndefined();
    expect(after.recommendations).toMatchObject({ ok: true });
  });

  it('answers with the newest items once items exist, genre and playable filters applied', async () => {
    // Prepare: four items added one after another, two playable.
    const items = [
      { itemId: 'old-drama', title: 'Old Drama', genres: ['Drama'], tags: [], playable: true },
      { itemId: 'mid-comedy', title: 'Mid Comedy', genres: ['Comedy'], tags: [] },
      { itemId: 'new-drama', title: 'New Drama', genres: ['Drama'], tags: [] },
      { itemId: 'newest-comedy', title: 'Newest Comedy', genres: ['Comedy'], tags: [], playable: true },
    ];
    for (const { itemId, ...item } of items) {
      expect((await platform.api('PUT', `/items/${itemId}`, item)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    // Act
    const all = await platform.api('GET', '/users/anyone/recommendations?k=10');
    const dramas = await platform.api('GET', '/users/anyone/recommendations?k=10&genres=drama');
    const playable = await platform.api('GET', '/users/anyone/recommendations?k=10&playableOnly=true');

    // Assess
    expect(all.status).toBe(200);
    expect((all.body as Answer).model).toBe('fallback');
    expect((all.body as Answer).items.map((x) => x.itemId)).toEqual([
      'newest-comedy',
      'new-drama',
      'mid-comedy',
      'old-drama',
    ]);
    expect((all.body as Answer).items[0].reason).toBe('newest in the catalog; no model trained yet');
    expect((dramas.body as Answer).items.map((x) => x.itemId)).toEqual(['new-drama', 'old-drama']);
    expect((playable.body as Answer).items.map((x) => x.itemId)).toEqual(['newest-comedy', 'old-drama']);
  });

  it('puts the most played items first once events exist, leaving out what the user has seen', async () => {
    // Prepare: three users play old-drama, one plays mid-comedy; the asking user saw old-drama.
    const now = Date.now();
    const events = [
      ...['a', 'b', 'c'].map((userId, n) => ({
        userId,
        itemId: 'old-drama',
        type: 'play',
        timestamp: now - n,
      })),
      { userId: 'd', itemId: 'mid-comedy', type: 'complete', timestamp: now },
    ];
    expect((await platform.api('POST', '/events', { events })).status).toBe(202);

    // Act
    const stranger = await platform.api('GET', '/users/stranger/recommendations?k=3');
    const viewer = await platform.api('GET', '/users/a/recommendations?k=3');

    // Assess
    expect(stranger.status).toBe(200);
    expect((stranger.body as Answer).items.map((x) => [x.itemId, x.score, x.reason])).toEqual([
      ['old-drama', 3, 'most played this week; no model trained yet'],
      ['mid-comedy', 1, 'most played this week; no model trained yet'],
      ['newest-comedy', 0, 'newest in the catalog; no model trained yet'],
    ]);
    expect((viewer.body as Answer).items.map((x) => x.itemId)).not.toContain('old-drama');
  });

  it('reads the playable items through the availability index, never by scanning the items table', async () => {
    // Prepare: record every command the in-process handlers send to DynamoDB.
    const client = documentClient();
    // Other in-process work (the stream-fed experiment counters) shares the client: keep the items table's.
    const sent: { name: string; index?: string }[] = [];
    const send = client.send.bind(client);
    type Sent = { constructor: { name: string }; input: { IndexName?: string; TableName?: string } };
    client.send = ((command: Sent) => {
      if (command.input.TableName === platform.names.ITEMS_TABLE)
        sent.push({ name: command.constructor.name, index: command.input.IndexName });
      return send(command as never);
    }) as typeof client.send;

    // Act
    const ids = await new DynamoCatalogItems(platform.names.ITEMS_TABLE).playableIds();
    client.send = send;

    // Assess
    expect([...ids].sort()).toEqual(['newest-comedy', 'old-drama']);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((c) => c.name === 'QueryCommand' && c.index === 'byAvailability')).toBe(true);
  });

  it('answers rank, similar and trending from the fallback, and 404 for an item nobody knows', async () => {
    const ranked = await platform.api('POST', '/users/stranger/rank', {
      itemIds: ['newest-comedy', 'ghost', 'old-drama'],
    });
    const similar = await platform.api('GET', '/items/new-drama/similar?k=5');
    const trending = await platform.api('GET', '/trending?k=2&genres=comedy');
    const unknown = await platform.api('GET', '/items/ghost/similar');

    expect(ranked.status).toBe(200);
    expect(ranked.body.model).toBe('fallback');
    expect((ranked.body as Answer).items.map((x) => [x.itemId, x.score])).toEqual([
      ['old-drama', 3],
      ['newest-comedy', 0],
      ['ghost', null],
    ]);
    expect(similar.status).toBe(200);
    expect((similar.body as Answer).items.map((x) => x.itemId)).toEqual(['old-drama']);
    expect(trending.status).toBe(200);
    expect((trending.body as Answer).items.map((x) => x.itemId)).toEqual(['mid-comedy', 'newest-comedy']);
    expect(unknown.status).toBe(404);
  });

  it('after a deploy, trains the first models when none exist, and only re-attaches them after that', async () => {
    const first = (await platform.runtime.invoke('retrain', retrainEvent('deploy'))) as Record<
      string,
      { ok: boolean; result: { versions?: unknown[]; skipped?: string } }
    >;
    const second = (await platform.runtime.invoke('retrain', retrainEvent('deploy'))) as typeof first;
    const answer = await platform.api('GET', '/users/stranger/recommendations?k=2');

    expect(first.recommendations.ok).toBe(true);
    expect(first.recommendations.result.versions?.length).toBeGreaterThan(0);
    expect(second.recommendations.result).toEqual({
      skipped: 'deploy: the accepted models are re-attached, nothing is trained',
    });
    // Locally there is no layer to attach; in AWS this step moves the alias (lambda-layer-publisher tests).
    expect(second.modelsLayer).toMatchObject({ ok: true, result: { published: false } });
    expect(answer.body.model).not.toBe('fallback');
  });
});
