/** Synthetic interactions for the recommendation benchmarks. */
import type { Item } from '#domain/catalog/types.ts';
import { seededRandom } from '#domain/recommendations/evaluation.ts';
import type { WeightedInteraction } from '#domain/recommendations/interactions.ts';

/** Synthetic events: power-law items, users with a taste group; `items` catalog size. */
export function syntheticEvents(count: number, items: number, users: number, seed = 3) {
  const random = seededRandom(seed);
  const catalog: Item[] = Array.from({ length: items }, (_, i) => ({
    itemId: `i${i}`,
    title: `Item ${i}`,
    genres: [`g${i % 12}`],
    tags: [],
  }));
  const interactions: WeightedInteraction[] = [];
  const now = Date.UTC(2026, 10, 1);
  for (let n = 0; n < count; n++) {
    const u = Math.floor(random() * users);
    const group = u % 12;
    const rank = Math.floor(random() ** 3 * (items / 12));
    const item = random() < 0.8 ? rank * 12 + group : Math.floor(random() * items);
    interactions.push({
      userId: `u${u}`,
      itemId: `i${Math.min(item, items - 1)}`,
      weight: 1 + (n % 3),
      timestamp: now - Math.floor(random() * 30 * 86_400_000),
    });
  }
  return { catalog, interactions, now };
}
