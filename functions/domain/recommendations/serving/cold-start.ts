/** Cold start: trending first (items actually rising), then popular, each with its reason. */
import type { ServingModel } from './loading.ts';
import { POPULAR_WITH_EVERYONE, trendingReason } from './reasons.ts';
import type { ColdStartRoute } from './routing.ts';
import {
  biasFor,
  type ItemFilters,
  NO_HISTORY,
  type RecommendationResponse,
  type RecommendedItem,
  roundScore,
  runGraph,
  windowIndex,
} from './scoring.ts';

export interface ColdStartOptions extends ItemFilters {
  k: number;
  excludeSeen: boolean;
}

/**
 * Trending fills half the list with items actually rising (all of it for `only: 'trending'`),
 * popularity the rest; the answer names popularity when it contributed, else trending.
 */
export async function answerColdStart(
  route: ColdStartRoute,
  options: ColdStartOptions,
): Promise<RecommendationResponse> {
  const { trending, popularity, only } = route;
  const items: RecommendedItem[] = [];
  const taken = new Set<string>();
  const seenIn = (model: ServingModel) =>
    options.excludeSeen ? route.seen.flatMap((id) => model.index.get(id) ?? []) : [];
  if (trending) {
    const bias = biasFor(trending.metadata.catalog, options, seenIn(trending));
    const share = only === 'trending' ? options.k : Math.ceil(options.k / 2);
    const r = await runGraph(trending, NO_HISTORY, bias, share, { window: windowIndex(trending, '24h') });
    r.indices.forEach((i, j) => {
      if (r.scores[j] <= 0 && only !== 'trending') return;
      const id = trending.metadata.catalog.itemIds[i];
      taken.add(id);
      items.push({
        itemId: id,
        score: roundScore(r.scores[j]),
        reason: trendingReason(trending.metadata.catalog, i, options.genres),
      });
    });
  }
  let popular = 0;
  if (popularity && items.length < options.k) {
    const bias = biasFor(popularity.metadata.catalog, options, seenIn(popularity));
    const r = await runGraph(popularity, NO_HISTORY, bias, options.k + taken.size);
    r.indices.forEach((i, j) => {
      const id = popularity.metadata.catalog.itemIds[i];
      if (taken.has(id) || items.length >= options.k) return;
      items.push({ itemId: id, score: roundScore(r.scores[j]), reason: POPULAR_WITH_EVERYONE });
      popular++;
    });
  }
  const named = (popular > 0 ? popularity : trending) ?? popularity!;
  return { model: named.name, version: named.version, items };
}
