/**
 * Popularity (all-time positive signal per item) and trending: time-decayed counts compared with
 * each item's own baseline rate, so an item that suddenly gets far more events than it used to
 * (including a brand-new item) rises within hours.
 */
import type { WeightedInteraction } from './interactions.ts';

export interface PopularityModel {
  kind: 'popularity';
  itemIds: string[];
  /** Users with a positive signal, per item. */
  scores: Float32Array;
}

/** Counts users with a positive signal per item, over `itemIds`. */
export function trainPopularity(
  interactions: readonly WeightedInteraction[],
  itemIds: readonly string[],
): PopularityModel {
  const position = new Map(itemIds.map((id, i) => [id, i]));
  const scores = new Float32Array(itemIds.length);
  for (const x of interactions) {
    const i = position.get(x.itemId);
    if (i !== undefined && x.weight > 0) scores[i] += 1;
  }
  return { kind: 'popularity', itemIds: [...itemIds], scores };
}

/** A trending window: recent activity is decayed with this half-life. */
export interface TrendingWindow {
  name: string;
  /** Half-life of the recent count, hours. */
  halfLifeHours: number;
}

export const TRENDING_WINDOWS: TrendingWindow[] = [
  { name: '1h', halfLifeHours: 1 },
  { name: '6h', halfLifeHours: 6 },
  { name: '24h', halfLifeHours: 24 },
  { name: '7d', halfLifeHours: 168 },
];

export interface TrendingOptions {
  windows: TrendingWindow[];
  /** Baseline half-life, hours: each item's usual rate. */
  baselineHalfLifeHours: number;
}

export const DEFAULT_TRENDING_OPTIONS: TrendingOptions = {
  windows: TRENDING_WINDOWS,
  baselineHalfLifeHours: 24 * 30,
};

export interface TrendingModel {
  kind: 'trending';
  itemIds: string[];
  windows: string[];
  /** windows x items scores, row-major. */
  scores: Float32Array;
  /** Epoch ms the scores were computed at. */
  asOf: number;
}

/**
 * Trending scores at `now` (epoch ms): for each window, recent = sum of positive weights decayed
 * with the window's half-life (a rate per half-life), expected = the item's baseline rate over the
 * same span; score = (recent - expected) / sqrt(expected + 1), a z-like velocity.
 */
export function trainTrending(
  interactions: readonly WeightedInteraction[],
  itemIds: readonly string[],
  now: number,
  options: TrendingOptions = DEFAULT_TRENDING_OPTIONS,
  since?: number,
): TrendingModel {
  const position = new Map(itemIds.map((id, i) => [id, i]));
  const n = itemIds.length;
  const w = options.windows.length;
  const recent = new Float64Array(w * n);
  const baseline = new Float64Array(n);
  const hour = 3_600_000;
  for (const x of interactions) {
    const i = position.get(x.itemId);
    if (i === undefined || x.weight <= 0) continue;
    const ageHours = Math.max(0, (now - x.timestamp) / hour);
    baseline[i] += 0.5 ** (ageHours / options.baselineHalfLifeHours);
    options.windows.forEach((win, k) => {
      recent[k * n + i] += 0.5 ** (ageHours / win.halfLifeHours);
    });
  }
  const scores = new Float32Array(w * n);
  // Events read only from `since` on (the frequent refresh) miss the tail of each decayed sum: for a
  // steady rate, the sum over the last T hours is (1 - 0.5^(T/H)) of the whole one, so it is divided
  // by that share to estimate the whole sum.
  const seenShare = (halfLifeHours: number) =>
    since === undefined ? 1 : 1 - 0.5 ** (Math.max(0, now - since) / hour / halfLifeHours);
  const baselineShare = seenShare(options.baselineHalfLifeHours);
  options.windows.forEach((win, k) => {
    // A decayed sum with half-life H equals a rate x H / ln 2: scale the baseline to the window's span.
    const share = win.halfLifeHours / options.baselineHalfLifeHours;
    const recentShare = seenShare(win.halfLifeHours);
    for (let i = 0; i < n; i++) {
      const expected = (baseline[i] / baselineShare) * share;
      const rising = recent[k * n + i] / recentShare;
      scores[k * n + i] = (rising - expected) / Math.sqrt(expected + 1);
    }
  });
  return {
    kind: 'trending',
    itemIds: [...itemIds],
    windows: options.windows.map((x) => x.name),
    scores,
    asOf: now,
  };
}
