import { beforeAll, describe, expect, it } from 'vitest';
import type { EventStore, ItemStore } from '#domain/catalog/ports.ts';
import type { InteractionEvent } from '#domain/catalog/types.ts';
import {
  InMemoryArtifacts,
  InMemoryModelRecords,
  memoryFallbackCatalog,
} from '../../support/memory-models.ts';
import { EMPTY_FALLBACK, FallbackRanking } from '#domain/recommendations/serving/fallback.ts';
import { publishCandidate } from '#domain/models/registry.ts';
import { LiveModels, servingFrom } from '#domain/recommendations/live-models.ts';
import { RecommendationService } from '#domain/recommendations/service.ts';
import { type ModelSource, routeRequest } from '#domain/recommendations/serving/routing.ts';
import { trainAllModels } from '#domain/recommendations/training.ts';
import { testListAttribution } from '../../support/list-attribution.ts';
import { event, syntheticData, testTrainingOptions } from './fixtures.ts';

const data = syntheticData();
const records = new InMemoryModelRecords();
const artifacts = new InMemoryArtifacts();
/** A user with plenty of history the default model (EASE) knows. */
const history: InteractionEvent[] = ['i0', 'i4', 'i8', 'i12', 'i16', 'i20', 'i24', 'i28'].map((id) =>
  event('fan', id, 'complete'),
);

/** The one read recommend makes of the events port, over `history`. */
const events = {
  latestByUser: async (userId: string, max: number) =>
    history.filter((e) => e.userId === userId).slice(0, max),
} as Pick<EventStore, 'latestByUser'> as EventStore;

/** A list answer without its recommendationId, which names when and for which request it was made. */
const withoutId = <A extends { recommendationId: string }>({ recommendationId: _, ...answer }: A) => answer;

function newService(): RecommendationService {
  const live = new LiveModels(records, servingFrom(artifacts), { ttlMs: 60_000 });
  return new RecommendationService(live, records, events, {} as ItemStore, {
    historyEvents: 100,
    fallback: new FallbackRanking(memoryFallbackCatalog()),
    runs: records,
    attribution: testListAttribution(),
  });
}

beforeAll(async () => {
  // Prepare: popularity, trending and EASE live, EASE the default; ALS has never been promoted.
  const trained = await trainAllModels(
    { interactions: data.interactions, items: data.catalog, now: Date.UTC(2026, 1, 1) },
    testTrainingOptions(['popularity', 'trending', 'ease'], 200),
  );
  for (const artifact of trained) {
    await publishCandidate(records, artifacts, {
      ...artifact,
      trainedAt: new Date(),
      metrics: { ndcg: 0.1 },
    });
  }
  await records.setDefaultModel('ease');
});

describe('a requested model that is not live', () => {
  it('answers the same whether or not the container has already loaded the default model', async () => {
    // Prepare: a cold container, and a warm one that has answered a default-model request before.
    const query = { k: 10, excludeSeen: true, model: 'als' as const };
    const cold = newService();
    const warm = newService();
    await warm.recommend('fan', { k: 10, excludeSeen: true });

    // Act
    const coldAnswer = await cold.recommend('fan', query);
    const warmAnswer = await warm.recommend('fan', query);

    // Assess: both fall back to the default personal model (the answer names it).
    expect([coldAnswer.model, warmAnswer.model]).toEqual(['ease', 'ease']);
    // The signed ids differ (issued at different times, one for a caller-named model); the lists do not.
    expect(withoutId(coldAnswer)).toEqual(withoutId(warmAnswer));
  });

  it('ranks a list with the default personal model, as recommend does, not with popularity', async () => {
    // Prepare
    const list = ['i1', 'i5', 'i9', 'i13', 'i17', 'i21', 'i2', 'i3'];
    const service = newService();

    // Act
    const asked = await service.rank('fan', list, 'als');
    const byDefault = await service.rank('fan', list);

    // Assess: the answer names the model that ranked, and equals the default's ranking.
    expect(asked.model).toBe('ease');
    expect(withoutId(asked)).toEqual(withoutId(byDefault));
    expect(asked.items.some((item) => item.reason.startsWith('because you watched'))).toBe(true);
  });
});

describe('routing decides once, whatever the container has loaded', () => {
  it('leaves out what a user with no positive event touched, even in a container that never loaded the personal model', async () => {
    // Prepare: the top cold-start item, disliked by a new user.
    const first = (await newService().recommend('nobody', { k: 1, excludeSeen: true })).items[0].itemId;
    const disliked = [event('critic', first, 'dislike')];
    const cold = new RecommendationService(
      new LiveModels(records, servingFrom(artifacts), { ttlMs: 60_000 }),
      records,
      { latestByUser: async () => disliked } as Pick<EventStore, 'latestByUser'> as EventStore,
      {} as ItemStore,
      {
        historyEvents: 100,
        fallback: new FallbackRanking(memoryFallbackCatalog()),
        runs: records,
        attribution: testListAttribution(),
      },
    );

    // Act
    const answer = await cold.recommend('critic', { k: 10, excludeSeen: true });

    // Assess: the disliked item is gone, and the answer is the cold-start one.
    expect(answer.items.map((x) => x.itemId)).not.toContain(first);
    expect(['popularity', 'trending']).toContain(answer.model);
  });

  it('loads only the models of the route it takes', async () => {
    // Prepare: a source that records what it is asked to load.
    const live = new LiveModels(records, servingFrom(artifacts), { ttlMs: 60_000 });
    const asked: string[] = [];
    const source: ModelSource = {
      current: (needed) => {
        asked.push(...needed);
        return live.current(needed);
      },
      fallback: async () => EMPTY_FALLBACK,
    };

    // Act
    const route = await routeRequest(source, { route: 'recommend', events: history });

    // Assess: a user the default model knows needs neither trending nor popularity.
    expect(route).toMatchObject({ answer: 'personal', model: { name: 'ease' } });
    expect(asked).toEqual(['default']);
  });
});
