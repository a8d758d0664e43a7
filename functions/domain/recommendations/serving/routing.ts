/**
 * Routing: the one place that decides which live models answer a request, what happens when the
 * model asked for is not live, and the fallback chain (personal model -> default personal model ->
 * trending and popularity -> the fallback computed from the catalog). The answering modules (recommend, rank, similar, trending) execute the
 * route they are given and never choose a model themselves; each reason they give comes from the
 * route's kind.
 */
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import { NotFoundError } from '#domain/errors.ts';
import { type ModelName, PERSONAL_MODELS } from '../artifact.ts';
import { DEFAULT_EVENT_WEIGHTS, type EventWeights, eventWeight } from '../interactions.ts';
import { EMPTY_FALLBACK, type FallbackCause, type FallbackPool } from './fallback.ts';
import type { ModelSet, ServingModel } from './loading.ts';
import { type History, historyFor } from './scoring.ts';

/** History below this many items blends content in (hybrid) when the default model is asked. */
export const THIN_HISTORY = 5;

/** What serving answers with: the live registry's models (LiveModels), or a fixed set, and the fallback. */
export interface ModelSource {
  /**
   * Loads `needed` (`default` stands for the default personal model) and returns the models loaded
   * so far; a model missing from the answer has no live version or could not be loaded.
   */
  current(needed: readonly (ModelName | 'default')[]): Promise<ModelSet>;
  /** The candidates of the fallback, read only when no model can answer. */
  fallback(): Promise<FallbackPool>;
}

/** A fixed set of loaded models as a source (tests, evaluation, a single artifact). */
export function fixedModels(set: ModelSet, fallback: FallbackPool = EMPTY_FALLBACK): ModelSource {
  return { current: async () => set, fallback: async () => fallback };
}

/** A user's request (recommendations or rank): their latest events and the model they named. */
export interface UserRequest {
  route: 'recommend' | 'rank';
  model?: ModelName;
  events: readonly InteractionEvent[];
  eventWeights?: EventWeights;
}

export interface SimilarRequest {
  route: 'similar';
  model?: ModelName;
  itemId: string;
  /** The catalog item, read only when no similarity model knows the id. */
  lookupItem: () => Promise<Pick<Item, 'itemId' | 'genres'> | undefined>;
}

export interface TrendingRequest {
  route: 'trending';
}

export type RouteRequest = UserRequest | SimilarRequest | TrendingRequest;

/** A personal model folds the user's history in (`alpha` weighs EASE against content in hybrid). */
export interface PersonalRoute {
  answer: 'personal';
  model: ServingModel;
  history: History;
  alpha: number;
}

/**
 * Trending first, popularity to fill (or only the one named by `only`); `seen` item ids are left
 * out when the caller asks for it.
 */
export interface ColdStartRoute {
  answer: 'cold-start';
  trending?: ServingModel;
  popularity?: ServingModel;
  only?: 'popularity' | 'trending';
  seen: readonly string[];
}

/** No model can answer: the fallback does, from what is stored, and says why. */
export interface FallbackRoute {
  answer: 'fallback';
  pool: FallbackPool;
  cause: FallbackCause;
}

export type RecommendRoute = PersonalRoute | ColdStartRoute | FallbackRoute;
/** Rank without a usable history: `model` orders the items without personalisation. */
export type RankRoute = PersonalRoute | { answer: 'unpersonalised'; model: ServingModel } | FallbackRoute;
export type SimilarRoute =
  /** Items like catalog index `item` of `model`. */
  | { answer: 'similar'; model: ServingModel; item: number }
  /** An item no model knows yet: the most popular items sharing its genres. */
  | { answer: 'popular-alike'; popularity: ServingModel; genres?: string[] }
  /** No model at all: the fallback's items sharing the item's genres. */
  | (FallbackRoute & { genres?: string[] });
export type TrendingRoute = { answer: 'trending'; model: ServingModel } | ColdStartRoute | FallbackRoute;
export type Route = RecommendRoute | RankRoute | SimilarRoute | TrendingRoute;

/** Decides which models answer `request`, loading only those (a cold container pays for each). */
export function routeRequest(
  source: ModelSource,
  request: UserRequest & { route: 'recommend' },
): Promise<RecommendRoute>;
export function routeRequest(
  source: ModelSource,
  request: UserRequest & { route: 'rank' },
): Promise<RankRoute>;
export function routeRequest(source: ModelSource, request: SimilarRequest): Promise<SimilarRoute>;
export function routeRequest(source: ModelSource, request: TrendingRequest): Promise<TrendingRoute>;
export async function routeRequest(source: ModelSource, request: RouteRequest): Promise<Route> {
  switch (request.route) {
    case 'recommend':
      return routeRecommendation(source, request);
    case 'rank':
      return routeRanking(source, request);
    case 'similar':
      return routeSimilar(source, request);
    case 'trending': {
      const set = await source.current(['trending', 'popularity']);
      if (set.models.trending) return { answer: 'trending', model: set.models.trending };
      return coldStartRoute(source, set, 'popularity', []);
    }
  }
}

/** Requested model when live, else the default; trending and popularity for a user it cannot fold in. */
async function routeRecommendation(source: ModelSource, request: UserRequest): Promise<RecommendRoute> {
  const seen = [...new Set(request.events.map((e) => e.itemId))];
  let set = await source.current([request.model ?? 'default']);
  const asked = request.model ?? set.defaultModel;
  if (asked === 'popularity' || asked === 'trending') {
    return coldStartRoute(source, await source.current([asked]), asked, seen);
  }
  const weights = request.eventWeights ?? DEFAULT_EVENT_WEIGHTS;
  if (!request.events.some((e) => eventWeight(e, weights) > 0)) return coldStart(source, seen);
  if (request.model && !set.models[request.model]) set = await source.current(['default']);
  const model = personalModelOf(set, request.model);
  if (!model) return coldStart(source, seen);
  const history = historyFor(model, request.events, weights);
  if (history.items.length === 0) return coldStart(source, seen);
  if (!request.model && history.items.length < THIN_HISTORY && model.name !== 'hybrid') {
    const hybrid = (await source.current(['hybrid'])).models.hybrid;
    if (hybrid) return personalRoute(hybrid, historyFor(hybrid, request.events, weights));
  }
  return personalRoute(model, history);
}

/** Rank: the requested model when live, else the default; popularity when neither knows the history. */
async function routeRanking(source: ModelSource, request: UserRequest): Promise<RankRoute> {
  let set = await source.current([request.model ?? 'default', 'popularity']);
  if (request.model && !set.models[request.model]) set = await source.current(['default', 'popularity']);
  const model = (request.model && set.models[request.model]) || set.models[set.defaultModel];
  const history = model ? historyFor(model, request.events, request.eventWeights) : undefined;
  if (model && history && history.items.length > 0) return personalRoute(model, history);
  const unpersonalised = set.models.popularity ?? model;
  if (!unpersonalised) return fallbackRoute(source, set);
  return { answer: 'unpersonalised', model: unpersonalised };
}

/** Similar: the requested model (content by default) when live, else content, else the default. */
async function routeSimilar(source: ModelSource, request: SimilarRequest): Promise<SimilarRoute> {
  const set = await source.current([request.model ?? 'content', 'default', 'popularity']);
  const model = set.models[request.model ?? 'content'] ?? set.models.content ?? set.models[set.defaultModel];
  const item = model?.index.get(request.itemId);
  if (model && item !== undefined) return { answer: 'similar', model, item };
  // An id no model knows: a 404 unless the catalog has it (added after training).
  const known = await request.lookupItem();
  if (!known) throw new NotFoundError('item', request.itemId);
  const genres = known.genres.length > 0 ? known.genres : undefined;
  if (set.models.popularity) return { answer: 'popular-alike', popularity: set.models.popularity, genres };
  return { ...(await fallbackRoute(source, set)), ...(genres ? { genres } : {}) };
}

/** The requested model when loaded, else the default, when it is a personal model. */
function personalModelOf(set: ModelSet, requested: ModelName | undefined): ServingModel | undefined {
  const model = (requested && set.models[requested]) || set.models[set.defaultModel];
  return model && PERSONAL_MODELS.includes(model.name) ? model : undefined;
}

function personalRoute(model: ServingModel, history: History): PersonalRoute {
  const alpha = model.name === 'hybrid' ? history.items.length / (history.items.length + THIN_HISTORY) : 1;
  return { answer: 'personal', model, history, alpha };
}

async function coldStart(
  source: ModelSource,
  seen: readonly string[],
): Promise<ColdStartRoute | FallbackRoute> {
  return coldStartRoute(source, await source.current(['trending', 'popularity']), undefined, seen);
}

/** Trending and popularity (or only the one named), as loaded in `set`; the fallback when neither is. */
async function coldStartRoute(
  source: ModelSource,
  set: ModelSet,
  only: 'popularity' | 'trending' | undefined,
  seen: readonly string[],
): Promise<ColdStartRoute | FallbackRoute> {
  const trending = only === 'popularity' ? undefined : set.models.trending;
  const popularity = only === 'trending' ? undefined : set.models.popularity;
  if (!trending && !popularity) return fallbackRoute(source, set);
  return { answer: 'cold-start', trending, popularity, ...(only ? { only } : {}), seen };
}

/** The fallback, saying whether no model exists yet or the live ones could not be loaded. */
async function fallbackRoute(source: ModelSource, set: ModelSet): Promise<FallbackRoute> {
  const trained = set.trained ?? Object.keys(set.models).length > 0;
  return {
    answer: 'fallback',
    pool: await source.fallback(),
    cause: trained ? 'no model could be loaded' : 'no model trained yet',
  };
}
