/** GET /trending: the items rising fastest in a window. */
import { answerColdStart } from './cold-start.ts';
import { FALLBACK_MODEL, fallbackItems } from './fallback.ts';
import { trendingReason } from './reasons.ts';
import { type ModelSource, routeRequest } from './routing.ts';
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
  models: ModelSource,
  options: { k: number; window: string } & ItemFilters,
): Promise<RecommendationResponse> {
  const route = await routeRequest(models, { route: 'trending' });
  switch (route.answer) {
    case 'trending': {
      const { model } = route;
      const catalog = model.metadata.catalog;
      const bias = biasFor(catalog, options);
      const window = windowIndex(model, options.window);
      const r = await runGraph(model, NO_HISTORY, bias, options.k, { window });
      const items = scoredItems(catalog, r, (i) => trendingReason(catalog, i, options.genres));
      return { model: model.name, version: model.version, items };
    }
    case 'cold-start':
      return answerColdStart(route, { ...options, excludeSeen: false });
    case 'fallback':
      return { ...FALLBACK_MODEL, items: fallbackItems(route.pool, options.k, options, route.cause) };
  }
}
