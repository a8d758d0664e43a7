/** Cold start: trending first (items actually rising), then popular, each with its reason. */
import { DependencyError } from '#domain/errors.ts';
import type { ModelSet } from './loading.ts';
import { POPULAR_WITH_EVERYONE, trendingReason } from './reasons.ts';
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

/** Trending fills half the list (all of it for `only: 'trending'`), popularity the rest. */
export async function coldStart(
  set: ModelSet,
  options: ColdStartOptions,
  seen: number[],
  only: 'popularity' | 'trending' | undefined,
): Promise<RecommendationResponse> {
  const trending = only === 'popularity' ? undefined : set.models.trending;
  const popular = only === 'trending' ? undefined : set.models.popularity;
  const items: RecommendedItem[] = [];
  const taken = new Set<string>();
  const fallback = popular ?? trending;
  if (!fallback) throw new DependencyError('no popularity or trending model is loaded');
  if (trending) {
    const bias = biasFor(trending.metadata.catalog, options, options.excludeSeen ? seen : []);
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
  if (popular && items.length < options.k) {
    const bias = biasFor(popular.metadata.catalog, options, options.excludeSeen ? seen : []);
    const r = await runGraph(popular, NO_HISTORY, bias, options.k + taken.size);
    r.indices.forEach((i, j) => {
      const id = popular.metadata.catalog.itemIds[i];
      if (taken.has(id) || items.length >= options.k) return;
      items.push({ itemId: id, score: roundScore(r.scores[j]), reason: POPULAR_WITH_EVERYONE });
    });
  }
  const named =
    popular && items.some((x) => x.reason === POPULAR_WITH_EVERYONE) ? popular : (trending ?? fallback);
  return { model: named.name, version: named.version, items };
}
