/** GET /items/{itemId}/similar: the item as a one-item history, itself excluded. */
import type { Item } from '#domain/catalog/types.ts';
import { DependencyError, NotFoundError } from '#domain/errors.ts';
import type { ModelName } from '../artifact.ts';
import type { ModelSet } from './loading.ts';
import { POPULAR_WITH_EVERYONE } from './reasons.ts';
import { biasFor, NO_HISTORY, type RecommendationResponse, runGraph, scoredItems } from './scoring.ts';

/**
 * Items like `itemId`. An item added after training (known to the catalog, `item` given, but not to
 * the model) gets the most popular items sharing its genres.
 */
export async function similarItems(
  set: ModelSet,
  itemId: string,
  options: { k: number; model?: ModelName },
  item?: Pick<Item, 'itemId' | 'genres'>,
): Promise<RecommendationResponse> {
  const model = set.models[options.model ?? 'content'] ?? set.models.content ?? set.models[set.defaultModel];
  if (!model) throw new DependencyError('no similarity model is loaded');
  const i = model.index.get(itemId);
  if (i === undefined) {
    if (!item) throw new NotFoundError('item', itemId);
    return popularAlike(set, item, options.k);
  }
  const catalog = model.metadata.catalog;
  const bias = biasFor(catalog, {}, [i]);
  const r = await runGraph(model, { items: [i], weights: [1] }, bias, options.k, { alpha: 0.5 });
  const items = scoredItems(catalog, r, () => `similar to ${catalog.titles[i]}`);
  return { model: model.name, version: model.version, items };
}

async function popularAlike(
  set: ModelSet,
  item: Pick<Item, 'itemId' | 'genres'>,
  k: number,
): Promise<RecommendationResponse> {
  const popular = set.models.popularity;
  if (!popular) throw new DependencyError('no popularity model is loaded');
  const genres = item.genres.length > 0 ? item.genres : undefined;
  const r = await runGraph(popular, NO_HISTORY, biasFor(popular.metadata.catalog, { genres }), k);
  const reason = genres ? `popular in ${genres[0]}` : POPULAR_WITH_EVERYONE;
  const items = scoredItems(popular.metadata.catalog, r, () => reason);
  return { model: popular.name, version: popular.version, items };
}
