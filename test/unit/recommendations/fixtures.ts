/** Synthetic interactions with planted taste groups, shared by the recommendation unit tests. */
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import { seededRandom } from '#domain/recommendations/evaluation.ts';
import type { ModelName } from '#domain/recommendations/artifact.ts';
import type { WeightedInteraction } from '#domain/recommendations/interactions.ts';
import type { TrainingOptions } from '#domain/recommendations/training.ts';

export const GENRES = ['Drama', 'Comedy', 'Horror', 'Animation'];

/** `items` items in four genre groups; each user mostly likes one group. */
export function syntheticData(users = 200, items = 240, perUser = 25, seed = 1) {
  const random = seededRandom(seed);
  const catalog: Item[] = Array.from({ length: items }, (_, i) => ({
    itemId: `i${i}`,
    title: `Movie ${i} ${GENRES[i % 4]} story`,
    genres: [GENRES[i % 4]],
    tags: i % 8 === 0 ? ['classic'] : [],
    playable: i % 3 !== 0,
  }));
  const interactions: WeightedInteraction[] = [];
  const t0 = Date.UTC(2026, 0, 1);
  for (let u = 0; u < users; u++) {
    const group = u % 4;
    const picked = new Set<number>();
    while (picked.size < perUser) {
      // Popular items (low index within group) are picked more often.
      const inGroup = random() < 0.85;
      const g = inGroup ? group : Math.floor(random() * 4);
      const rank = Math.floor(random() ** 2 * (items / 4));
      picked.add(rank * 4 + g);
    }
    for (const i of picked) {
      interactions.push({
        userId: `u${u}`,
        itemId: `i${i}`,
        weight: 1,
        timestamp: t0 + Math.floor(random() * 1e9),
      });
    }
  }
  return { catalog, interactions };
}

let counter = 0;
/** An API-shaped event. */
export function event(
  userId: string,
  itemId: string,
  type: InteractionEvent['type'],
  timestamp = Date.now(),
): InteractionEvent {
  counter++;
  return { eventId: `e${counter}`, userId, itemId, type, timestamp };
}

/** Training options small enough for a test: `models` only, EASE over up to `easeItems` items. */
export function testTrainingOptions(models: ModelName[], easeItems: number): TrainingOptions {
  const ease = {
    lambda: 50,
    maxItems: easeItems,
    minSupport: 1,
    popularityExponent: 0,
    sessionShare: 0,
    sessionMs: 120_000,
  };
  return {
    models,
    ease,
    sessionEase: { ...ease, sessionShare: 0.85 },
    als: { factors: 8, lambda: 10, alpha: 5, iterations: 2, cgSteps: 2, seed: 1 },
    content: { neighbours: 20, fieldWeights: { title: 1, description: 0.5, genre: 2, tag: 1.5 } },
    binary: false,
  };
}
