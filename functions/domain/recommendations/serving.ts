/**
 * Serving: loads artifacts into sessions and answers recommendations, rank, similar and trending.
 * The user's latest events are folded in at request time (the graph takes the history), so a
 * recommendation reflects an event posted a second earlier without retraining.
 */
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import { DependencyError, NotFoundError } from '#domain/errors.ts';
import { feed, loadSession, type ModelSession } from '#domain/onnx/session.ts';
import {
  type ArtifactMetadata,
  type CatalogSnapshot,
  decodeArtifactMetadata,
  type ModelName,
  PERSONAL_MODELS,
} from './artifact.ts';
import { UNSCORED } from './graphs.ts';
import { aggregateEvents, DEFAULT_EVENT_WEIGHTS, type EventWeights } from './interactions.ts';

/** A live model ready to answer. */
export interface ServingModel {
  name: ModelName;
  version: string;
  metadata: ArtifactMetadata;
  /** Item id -> graph index. */
  index: Map<string, number>;
  session: ModelSession;
}

/**
 * An artifact as serving opens it: the whole .onnx in memory, or a graph file on disk whose large
 * weights sit in a side file that onnxruntime memory-maps, with `metadata` the bytes holding the
 * model's metadata (its `.meta` file, or the graph itself when split before metadata moved out).
 */
export type OpenedArtifact = Uint8Array | { file: string; metadata: Uint8Array };

/** Loads an artifact into a session; throws when it is corrupt. */
export async function loadServingModel(artifact: OpenedArtifact, version: string): Promise<ServingModel> {
  const onDisk = !(artifact instanceof Uint8Array);
  const metadata = decodeArtifactMetadata(onDisk ? artifact.metadata : artifact);
  const session = await loadSession(onDisk ? artifact.file : artifact);
  return {
    name: metadata.name,
    version,
    metadata,
    index: new Map(metadata.catalog.itemIds.map((id, i) => [id, i])),
    session,
  };
}

export interface RecommendedItem {
  itemId: string;
  score: number;
  reason: string;
}

export interface RecommendationResponse {
  model: ModelName;
  version: string;
  items: RecommendedItem[];
}

export interface ItemFilters {
  genres?: string[];
  excludeGenres?: string[];
  playableOnly?: boolean;
  /** The items playable now (from the items table); absent: the training-time snapshot decides. */
  playableIds?: ReadonlySet<string>;
}

/** A history in graph indices with aggregated weights (positive only) and every item seen. */
export interface History {
  items: number[];
  weights: number[];
  /** Every item the user touched, including disliked or skipped ones. */
  seen: Set<number>;
}

/** Aggregates raw events into a model's history (unknown items dropped). */
export function historyFor(
  model: ServingModel,
  events: readonly InteractionEvent[],
  weights: EventWeights = DEFAULT_EVENT_WEIGHTS,
): History {
  const items: number[] = [];
  const w: number[] = [];
  const seen = new Set<number>();
  for (const x of aggregateEvents(events, weights)) {
    const i = model.index.get(x.itemId);
    if (i === undefined) continue;
    seen.add(i);
    if (x.weight > 0) {
      items.push(i);
      w.push(Math.min(x.weight, 5));
    }
  }
  return { items, weights: w, seen };
}

const EXCLUDED = -1e9;

const lowerGenres = new WeakMap<CatalogSnapshot, string[][]>();

/** The catalog's genres lower-cased, computed once per loaded model. */
function genresOf(catalog: CatalogSnapshot): string[][] {
  let genres = lowerGenres.get(catalog);
  if (!genres) {
    genres = catalog.genres.map((list) => list.map((g) => g.toLowerCase()));
    lowerGenres.set(catalog, genres);
  }
  return genres;
}

/** The bias row: 0 for allowed items, -1e9 for filtered-out ones. */
export function biasFor(
  catalog: CatalogSnapshot,
  filters: ItemFilters,
  exclude: Iterable<number> = [],
): Float32Array {
  const n = catalog.itemIds.length;
  const bias = new Float32Array(n);
  const include = filters.genres?.length ? new Set(filters.genres.map((g) => g.toLowerCase())) : undefined;
  const drop = filters.excludeGenres?.length
    ? new Set(filters.excludeGenres.map((g) => g.toLowerCase()))
    : undefined;
  if (include || drop || filters.playableOnly) {
    const genres = genresOf(catalog);
    const current = filters.playableIds;
    const playable = (i: number) => (current ? current.has(catalog.itemIds[i]) : catalog.playable[i]);
    for (let i = 0; i < n; i++) {
      if (include && !genres[i].some((g) => include.has(g))) bias[i] = EXCLUDED;
      else if (drop && genres[i].some((g) => drop.has(g))) bias[i] = EXCLUDED;
      else if (filters.playableOnly && !playable(i)) bias[i] = EXCLUDED;
    }
  }
  for (const i of exclude) bias[i] = EXCLUDED;
  return bias;
}

export interface GraphResult {
  indices: number[];
  scores: number[];
  /** EASE only: contributions[h][j] of history item h to result j. */
  contributions?: Float32Array;
}

/** Runs a model's graph once; `alpha` feeds the hybrid, `window` trending. */
export async function runGraph(
  model: ServingModel,
  history: Pick<History, 'items' | 'weights'>,
  bias: Float32Array,
  k: number,
  extra: { alpha?: number; window?: number } = {},
): Promise<GraphResult> {
  const n = model.metadata.catalog.itemIds.length;
  const kk = Math.max(1, Math.min(k, n));
  const all = {
    history: feed.int64(history.items, [history.items.length]),
    historyWeights: feed.float32(Float32Array.from(history.weights), [1, history.weights.length]),
    bias: feed.float32(bias, [1, n]),
    k: feed.int64([kk], [1]),
    alpha: feed.float32(Float32Array.of(extra.alpha ?? 1), [1]),
    window: feed.int64([extra.window ?? 0], [1]),
  };
  const feeds = Object.fromEntries(
    model.session.inputNames.map((name) => [name, all[name as keyof typeof all]]),
  );
  const out = await model.session.run(feeds);
  const indices: number[] = [];
  const scores: number[] = [];
  const idx = out.indices.data as BigInt64Array;
  const val = out.scores.data as Float32Array;
  for (let j = 0; j < idx.length; j++) {
    // Excluded (bias) and unscorable items come back only when k exceeds what is left.
    if (val[j] <= EXCLUDED / 2 || val[j] <= UNSCORED) continue;
    indices.push(Number(idx[j]));
    scores.push(val[j]);
  }
  return { indices, scores, contributions: out.contributions?.data as Float32Array | undefined };
}

/** The live models serving uses, by name, and which personal model is the default. */
export interface ModelSet {
  models: Partial<Record<ModelName, ServingModel>>;
  defaultModel: ModelName;
}

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

function personalReason(
  catalog: CatalogSnapshot,
  history: History,
  item: number,
  j: number,
  result: GraphResult,
): string {
  let best = -1;
  if (result.contributions) {
    const k = result.indices.length;
    let top = 0;
    for (let h = 0; h < history.items.length; h++) {
      const c = result.contributions[h * Math.max(k, 1) + j];
      if (c > top) {
        top = c;
        best = history.items[h];
      }
    }
  }
  if (best < 0) {
    // Otherwise: the most recent... history item sharing a genre (history is in aggregation order).
    const genres = new Set(catalog.genres[item]);
    best = history.items.find((h) => catalog.genres[h].some((g) => genres.has(g))) ?? history.items[0];
  }
  return `because you watched ${catalog.titles[best]}`;
}

/** Cold start: trending first (items actually rising), then popular, each with its reason. */
async function coldStart(
  set: ModelSet,
  options: RecommendOptions,
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
    const r = await runGraph(trending, { items: [], weights: [] }, bias, share, {
      window: windowIndex(trending, '24h'),
    });
    r.indices.forEach((i, j) => {
      if (r.scores[j] <= 0 && only !== 'trending') return;
      const id = trending.metadata.catalog.itemIds[i];
      taken.add(id);
      items.push({
        itemId: id,
        score: round(r.scores[j]),
        reason: trendingReason(trending.metadata.catalog, i, options.genres),
      });
    });
  }
  if (popular && items.length < options.k) {
    const bias = biasFor(popular.metadata.catalog, options, options.excludeSeen ? seen : []);
    const r = await runGraph(popular, { items: [], weights: [] }, bias, options.k + taken.size);
    r.indices.forEach((i, j) => {
      const id = popular.metadata.catalog.itemIds[i];
      if (taken.has(id) || items.length >= options.k) return;
      items.push({ itemId: id, score: round(r.scores[j]), reason: 'popular with everyone' });
    });
  }
  const named =
    popular && items.some((x) => x.reason === 'popular with everyone') ? popular : (trending ?? fallback);
  return { model: named.name, version: named.version, items };
}

/**
 * "trending in <genre>": a genre the caller filtered on when the item has one (matched without
 * case, as the filter is), else its first.
 */
function trendingReason(catalog: CatalogSnapshot, i: number, filtered?: readonly string[]): string {
  const genres = catalog.genres[i];
  const wanted = filtered?.map((g) => g.toLowerCase());
  const genre = genres.find((g) => wanted?.includes(g.toLowerCase())) ?? genres[0];
  return genre ? `trending in ${genre}` : 'trending now';
}

/** Graph index of a trending window name; throws NotFoundError for an unknown window. */
export function windowIndex(model: ServingModel, window: string): number {
  const i = (model.metadata.windows ?? []).indexOf(window);
  if (i < 0) throw new NotFoundError('trending window', window);
  return i;
}

/** GET /trending: the k items rising fastest in `window`. */
export async function trendingItems(
  set: ModelSet,
  options: { k: number; window: string } & ItemFilters,
): Promise<RecommendationResponse> {
  const model = set.models.trending;
  if (!model) return coldStart(set, { ...options, excludeSeen: false }, [], 'popularity');
  const bias = biasFor(model.metadata.catalog, options);
  const r = await runGraph(model, { items: [], weights: [] }, bias, options.k, {
    window: windowIndex(model, options.window),
  });
  const catalog = model.metadata.catalog;
  const items = scoredItems(catalog, r, (i) => trendingReason(catalog, i, options.genres));
  return { model: model.name, version: model.version, items };
}

/**
 * GET /items/{itemId}/similar: the item as a one-item history, itself excluded. An item added after
 * training (known to the catalog, `item` given, but not to the model) gets the most popular items
 * sharing its genres.
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
  const r = await runGraph(
    popular,
    { items: [], weights: [] },
    biasFor(popular.metadata.catalog, { genres }),
    k,
  );
  const reason = genres ? `popular in ${genres[0]}` : 'popular with everyone';
  const items = scoredItems(popular.metadata.catalog, r, () => reason);
  return { model: popular.name, version: popular.version, items };
}

/** POST /users/{userId}/rank: orders the given items for the user (unknown ids go last, score null). */
export async function rankItems(
  set: ModelSet,
  events: readonly InteractionEvent[],
  itemIds: readonly string[],
  options: { model?: ModelName; eventWeights?: EventWeights },
): Promise<Omit<RecommendationResponse, 'items'> & { items: RankedItem[]; unknown: string[] }> {
  // The requested model when live, else the default (as recommend falls back); popularity when
  // neither can fold this user's history in.
  let model =
    (options.model === undefined ? undefined : set.models[options.model]) ?? set.models[set.defaultModel];
  let history = model ? historyFor(model, events, options.eventWeights) : undefined;
  if (!model || !history || history.items.length === 0) {
    model = set.models.popularity ?? model;
    history = { items: [], weights: [], seen: new Set() };
  }
  if (!model) throw new NotFoundError('model', options.model ?? set.defaultModel);
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
    known.length > 0 ? await runGraph(model, history, bias, known.length) : { indices: [], scores: [] };
  const h = history;
  const items: RankedItem[] = scoredItems(catalog, r, (i, j) =>
    h.items.length > 0 ? personalReason(catalog, h, i, j, r) : 'popular with everyone',
  );
  // A rank answer returns everything it was given: what the model cannot score (outside EASE's
  // item block, say) and ids it has never seen come last, in the order given, without a score.
  const ranked = new Set(r.indices);
  for (const i of known)
    if (!ranked.has(i)) items.push({ itemId: catalog.itemIds[i], score: null, reason: NOT_RANKABLE });
  for (const id of unknown) items.push({ itemId: id, score: null, reason: UNKNOWN_ITEM });
  return { model: model.name, version: model.version, items, unknown };
}

/** Reasons of the rank answer's unscored tail. */
export const NOT_RANKABLE = 'not enough data to rank';
export const UNKNOWN_ITEM = 'unknown item';

/** One item of a rank answer; `score` is null for items the model could not score. */
export interface RankedItem {
  itemId: string;
  score: number | null;
  reason: string;
}

/** A graph result as answer items, best first: catalog ids, scores to 6 decimals, a reason each. */
function scoredItems(
  catalog: CatalogSnapshot,
  result: Pick<GraphResult, 'indices' | 'scores'>,
  reasonFor: (item: number, rank: number) => string,
): RecommendedItem[] {
  return result.indices.map((i, j) => ({
    itemId: catalog.itemIds[i],
    score: round(result.scores[j]),
    reason: reasonFor(i, j),
  }));
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
