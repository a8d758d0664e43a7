/**
 * Graph running: a user's events as a model's history, filters as the bias row, one run of a
 * model's graph, and its result as answer items. Every route answers through these.
 */
import type { InteractionEvent } from '#domain/catalog/types.ts';
import { NotFoundError } from '#domain/errors.ts';
import { feed } from '#domain/onnx/session.ts';
import type { CatalogSnapshot, ModelName } from '../artifact.ts';
import { UNSCORED } from '../graphs.ts';
import { aggregateEvents, DEFAULT_EVENT_WEIGHTS, type EventWeights } from '../interactions.ts';
import type { ServingModel } from './loading.ts';

export interface RecommendedItem {
  itemId: string;
  score: number;
  reason: string;
}

export interface RecommendationResponse {
  /** The model that answered; `fallback` before any model can (serving/fallback.ts). */
  model: ModelName | 'fallback';
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

/** An empty history: the graph scores without personalisation (popularity, trending). */
export const NO_HISTORY: Pick<History, 'items' | 'weights'> = { items: [], weights: [] };

/** The bias of an item filtered out. */
export const EXCLUDED = -1e9;

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

/** Graph index of a trending window name; throws NotFoundError for an unknown window. */
export function windowIndex(model: ServingModel, window: string): number {
  const i = (model.metadata.windows ?? []).indexOf(window);
  if (i < 0) throw new NotFoundError('trending window', window);
  return i;
}

/** A graph result as answer items, best first: catalog ids, scores to 6 decimals, a reason each. */
export function scoredItems(
  catalog: CatalogSnapshot,
  result: Pick<GraphResult, 'indices' | 'scores'>,
  reasonFor: (item: number, rank: number) => string,
): RecommendedItem[] {
  return result.indices.map((i, j) => ({
    itemId: catalog.itemIds[i],
    score: roundScore(result.scores[j]),
    reason: reasonFor(i, j),
  }));
}

/** A score as answered: 6 decimals. */
export function roundScore(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
