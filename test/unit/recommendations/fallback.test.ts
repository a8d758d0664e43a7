import { describe, expect, it } from 'vitest';
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import { type FallbackCatalog, FallbackRanking } from '#domain/recommendations/serving/fallback.ts';
import { memoryFallbackCatalog } from '../../support/memory-models.ts';
import { event } from './fixtures.ts';

const items: Item[] = Array.from({ length: 8 }, (_, i) => ({
  itemId: `i${i}`,
  title: `Item ${i}`,
  genres: [],
  tags: [],
  createdAt: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
}));

/** A catalog that counts its reads and what it was asked for. */
function countingCatalog(events: InteractionEvent[]) {
  const inner = memoryFallbackCatalog(events, items);
  const asked = { eventReads: 0, maxEvents: 0, itemIds: 0 };
  const catalog: FallbackCatalog = {
    newestEvents: (since, max) => {
      asked.eventReads++;
      asked.maxEvents = max;
      return inner.newestEvents(since, max);
    },
    items: (ids) => {
      asked.itemIds = Math.max(asked.itemIds, ids.length);
      return inner.items(ids);
    },
    newestItems: inner.newestItems,
  };
  return { catalog, asked };
}

describe('the fallback pool', () => {
  it('reads a bounded window once per TTL, most played first, then the newest items', async () => {
    // Prepare: i2 played by two users, i5 by one, inside the window; i7 only long ago.
    let now = Date.UTC(2026, 5, 1);
    const recent = now - 3_600_000;
    const { catalog, asked } = countingCatalog([
      event('a', 'i2', 'play', recent),
      event('b', 'i2', 'play', recent),
      event('c', 'i5', 'play', recent),
      event('d', 'i7', 'play', now - 30 * 86_400_000),
    ]);
    const ranking = new FallbackRanking(catalog, {
      ttlMs: 1_000,
      poolSize: 4,
      maxEvents: 100,
      now: () => now,
    });

    // Act
    const [first, concurrent] = await Promise.all([ranking.pool(), ranking.pool()]);
    now += 999;
    const cached = await ranking.pool();
    now += 1;
    await ranking.pool();

    // Assess
    expect(first.items.map((x) => [x.item.itemId, x.plays, x.basis])).toEqual([
      ['i2', 2, 'most played this week'],
      ['i5', 1, 'most played this week'],
      ['i7', 0, 'newest in the catalog'],
      ['i6', 0, 'newest in the catalog'],
    ]);
    expect(concurrent).toBe(first);
    expect(cached).toBe(first);
    expect(asked.eventReads).toBe(2);
    expect(asked.maxEvents).toBe(100);
    expect(asked.itemIds).toBeLessThanOrEqual(4);
  });
});
