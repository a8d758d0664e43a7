/** POST /users/{userId}/rank: orders the given items for the user (unknown ids go last, score null). */
import type { InteractionEvent } from '#domain/catalog/types.ts';
import type { ModelName } from '../artifact.ts';
import type { EventWeights } from '../interactions.ts';
import { POPULAR_WITH_EVERYONE, personalReason } from './reasons.ts';
import { FALLBACK_MODEL, fallbackItems } from './fallback.ts';
import { type FallbackRoute, type ModelSource, routeRequest } from './routing.ts';
import { EXCLUDED, NO_HISTORY, type RecommendationResponse, runGraph, scoredItems } from './scoring.ts';

/** Reasons of the rank answer's unscored tail. */
export const NOT_RANKABLE = 'not enough data to rank';
export const UNKNOWN_ITEM = 'unknown item';

/** One item of a rank answer; `score` is null for items the model could not score. */
export interface RankedItem {
  itemId: string;
  score: number | null;
  reason: string;
}

export type RankResponse = Omit<RecommendationResponse, 'items'> & { items: RankedItem[]; unknown: string[] };

export async function rankItems(
  models: ModelSource,
  events: readonly InteractionEvent[],
  itemIds: readonly string[],
  options: { model?: ModelName; eventWeights?: EventWeights },
): Promise<RankResponse> {
  const route = await routeRequest(models, {
    route: 'rank',
    model: options.model,
    events,
    eventWeights: options.eventWeights,
  });
  if (route.answer === 'fallback') return rankByFallback(route, itemIds);
  const { model } = route;
  const history = route.answer === 'personal' ? route.history : undefined;
  const catalog = model.metadata.catalog;
  const bias = new Float32Array(catalog.itemIds.length).fill(EXCLUDED);
  const known: number[] = [];
  const unknown: string[] = [];
  for (const id of new Set(itemIds)) {
    const i = model.index.get(id);
    if (i === undefined) unknown.push(id);
    else {
      bias[i] = 0;
      known.push(i);
    }
  }
  const r =
    known.length > 0
      ? await runGraph(model, history ?? NO_HISTORY, bias, known.length)
      : { indices: [], scores: [] };
  const items: RankedItem[] = scoredItems(catalog, r, (i, j) =>
    history ? personalReason(catalog, history, i, j, r) : POPULAR_WITH_EVERYONE,
  );
  // A rank answer returns everything it was given: what the model cannot score (outside EASE's
  // item block, say) and ids it has never seen come last, in the order given, without a score.
  const ranked = new Set(r.indices);
  for (const i of known)
    if (!ranked.has(i)) items.push({ itemId: catalog.itemIds[i], score: null, reason: NOT_RANKABLE });
  for (const id of unknown) items.push({ itemId: id, score: null, reason: UNKNOWN_ITEM });
  return { model: model.name, version: model.version, items, unknown };
}

/**
 * Rank with no model: the given items in the fallback's order (most played, then newest); items
 * outside its pool come last, unscored, in the order given.
 */
function rankByFallback(route: FallbackRoute, itemIds: readonly string[]): RankResponse {
  const given = [...new Set(itemIds)];
  const ranked = fallbackItems(route.pool, given.length, {}, route.cause).filter((x) =>
    given.includes(x.itemId),
  );
  const placed = new Set(ranked.map((x) => x.itemId));
  const rest = given
    .filter((id) => !placed.has(id))
    .map((itemId) => ({ itemId, score: null, reason: NOT_RANKABLE }));
  return { ...FALLBACK_MODEL, items: [...ranked, ...rest], unknown: [] };
}
