/**
 * GET /users/{userId}/recommendations: the user's latest events are folded in at request time (the
 * graph takes the history), so a recommendation reflects an event posted a second earlier without
 * retraining.
 */
import type { InteractionEvent } from '#domain/catalog/types.ts';
import { type ModelName, PERSONAL_MODELS } from '../artifact.ts';
import type { EventWeights } from '../interactions.ts';
import { coldStart } from './cold-start.ts';
import type { ModelSet, ServingModel } from './loading.ts';
import { personalReason } from './reasons.ts';
import {
  biasFor,
  historyFor,
  type ItemFilters,
  type RecommendationResponse,
  runGraph,
  scoredItems,
} from './scoring.ts';

export interface RecommendOptions extends ItemFilters {
  k: number;
  model?: ModelName;
  excludeSeen: boolean;
  eventWeights?: EventWeights;
}

/** History below this many items blends content in (hybrid) when the default model is asked. */
export const THIN_HISTORY = 5;

/** Recommendations for one user from their latest events; unknown users get trending and popular. */
export async function recommendForUser(
  set: ModelSet,
  events: readonly InteractionEvent[],
  options: RecommendOptions,
): Promise<RecommendationResponse> {
  const requested = options.model ?? set.defaultModel;
  if (requested === 'popularity' || requested === 'trending') return coldStart(set, options, [], requested);
  const model = personalModelFor(set, options.model);
  if (!model) return coldStart(set, options, [], undefined);
  let history = historyFor(model, events, options.eventWeights);
  if (history.items.length === 0) return coldStart(set, options, [...history.seen], undefined);
  let chosen = model;
  let alpha = 1;
  const hybrid = set.models.hybrid;
  if (!options.model && history.items.length < THIN_HISTORY && hybrid) {
    chosen = hybrid;
    history = historyFor(hybrid, events, options.eventWeights);
  }
  if (chosen.name === 'hybrid') alpha = history.items.length / (history.items.length + THIN_HISTORY);
  const catalog = chosen.metadata.catalog;
  const bias = biasFor(catalog, options, options.excludeSeen ? history.seen : []);
  const result = await runGraph(chosen, history, bias, options.k, { alpha });
  const items = scoredItems(catalog, result, (i, j) => personalReason(catalog, history, i, j, result));
  return { model: chosen.name, version: chosen.version, items };
}

/**
 * The personal model a recommendation uses: the requested one when it is live, else the default
 * personal model; undefined when neither is (the caller answers with cold start). A requested model
 * that is not live thus gets the same answer whatever else the container has loaded.
 */
export function personalModelFor(set: ModelSet, requested: ModelName | undefined): ServingModel | undefined {
  const model = (requested === undefined ? undefined : set.models[requested]) ?? set.models[set.defaultModel];
  return model && PERSONAL_MODELS.includes(model.name) ? model : undefined;
}
