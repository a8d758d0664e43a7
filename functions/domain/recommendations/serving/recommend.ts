/**
 * GET /users/{userId}/recommendations: the user's latest events are folded in at request time (the
 * graph takes the history), so a recommendation reflects an event posted a second earlier without
 * retraining.
 */
import type { InteractionEvent } from '#domain/catalog/types.ts';
import type { ModelName } from '../artifact.ts';
import type { EventWeights } from '../interactions.ts';
import { answerColdStart } from './cold-start.ts';
import { FALLBACK_MODEL, fallbackItems } from './fallback.ts';
import { personalReason } from './reasons.ts';
import { type ModelSource, type PersonalRoute, routeRequest } from './routing.ts';
import { biasFor, type ItemFilters, type RecommendationResponse, runGraph, scoredItems } from './scoring.ts';

export interface RecommendOptions extends ItemFilters {
  k: number;
  model?: ModelName;
  excludeSeen: boolean;
  eventWeights?: EventWeights;
}

/** Recommendations for one user from their latest events; unknown users get trending and popular. */
export async function recommendForUser(
  models: ModelSource,
  events: readonly InteractionEvent[],
  options: RecommendOptions,
): Promise<RecommendationResponse> {
  const route = await routeRequest(models, {
    route: 'recommend',
    model: options.model,
    events,
    eventWeights: options.eventWeights,
  });
  switch (route.answer) {
    case 'personal':
      return answerPersonal(route, options);
    case 'cold-start':
      return answerColdStart(route, options);
    case 'fallback': {
      const seen = options.excludeSeen ? new Set(events.map((e) => e.itemId)) : undefined;
      return { ...FALLBACK_MODEL, items: fallbackItems(route.pool, options.k, options, route.cause, seen) };
    }
  }
}

/** The personal model's top k, seen items excluded when asked, each because of a watched title. */
async function answerPersonal(
  route: PersonalRoute,
  options: RecommendOptions,
): Promise<RecommendationResponse> {
  const { model, history, alpha } = route;
  const catalog = model.metadata.catalog;
  const bias = biasFor(catalog, options, options.excludeSeen ? history.seen : []);
  const result = await runGraph(model, history, bias, options.k, { alpha });
  const items = scoredItems(catalog, result, (i, j) => personalReason(catalog, history, i, j, result));
  return { model: model.name, version: model.version, items };
}
