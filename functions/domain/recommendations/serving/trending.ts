/** GET /trending: the items rising fastest in a window. */
import { coldStart } from './cold-start.ts';
import type { ModelSet } from './loading.ts';
import { trendingReason } from './reasons.ts';
import {
  biasFor,
  type ItemFilters,
  NO_HISTORY,
  type RecommendationResponse,
  runGraph,
  scoredItems,
  windowIndex,
} from './scoring.ts';

/** The k items rising fastest in `window`; popular items when no trending model is loaded. */
export async function trendingItems(
  set: ModelSet,
  options: { k: number; window: string } & ItemFilters,
): Promise<RecommendationResponse> {
  const model = set.models.trending;
  if (!model) return coldStart(set, { ...options, excludeSeen: false }, [], 'popularity');
  const bias = biasFor(model.metadata.catalog, options);
  const r = await runGraph(model, NO_HISTORY, bias, options.k, {
    window: windowIndex(model, options.window),
  });
  const catalog = model.metadata.catalog;
  const items = scoredItems(catalog, r, (i) => trendingReason(catalog, i, options.genres));
  return { model: model.name, version: model.version, items };
}
