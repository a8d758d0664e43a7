/** GET /items/{itemId}/similar: the item as a one-item history, itself excluded. */
import type { Item } from '#domain/catalog/types.ts';
import type { ModelName } from '../artifact.ts';
import { FALLBACK_MODEL, fallbackItems } from './fallback.ts';
import { POPULAR_WITH_EVERYONE } from './reasons.ts';
import { type ModelSource, routeRequest } from './routing.ts';
import { biasFor, NO_HISTORY, type RecommendationResponse, runGraph, scoredItems } from './scoring.ts';

/**
 * Items like `itemId`. An item added after training (known to the catalog through `lookupItem`, but
 * not to the model) gets the most popular items sharing its genres; an id nobody knows is a 404.
 */
export async function similarItems(
  models: ModelSource,
  itemId: string,
  options: { k: number; model?: ModelName },
  lookupItem: () => Promise<Pick<Item, 'itemId' | 'genres'> | undefined> = async () => undefined,
): Promise<RecommendationResponse> {
  const route = await routeRequest(models, { route: 'similar', model: options.model, itemId, lookupItem });
  switch (route.answer) {
    case 'similar': {
      const { model, item } = route;
      const catalog = model.metadata.catalog;
      const bias = biasFor(catalog, {}, [item]);
      const r = await runGraph(model, { items: [item], weights: [1] }, bias, options.k, { alpha: 0.5 });
      const items = scoredItems(catalog, r, () => `similar to ${catalog.titles[item]}`);
      return { model: model.name, version: model.version, items };
    }
    case 'popular-alike': {
      const { popularity, genres } = route;
      const bias = biasFor(popularity.metadata.catalog, { genres });
      const r = await runGraph(popularity, NO_HISTORY, bias, options.k);
      const reason = genres ? `popular in ${genres[0]}` : POPULAR_WITH_EVERYONE;
      const items = scoredItems(popularity.metadata.catalog, r, () => reason);
      return { model: popularity.name, version: popularity.version, items };
    }
    case 'fallback': {
      const genres = { genres: route.genres };
      const exclude = new Set([itemId]);
      return { ...FALLBACK_MODEL, items: fallbackItems(route.pool, options.k, genres, route.cause, exclude) };
    }
  }
}
