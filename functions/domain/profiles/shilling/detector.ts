/**
 * Shilling detection without labels, in two steps:
 * 1. each profile's own evidence: the features of features.ts turned into tail probabilities
 *    against everyone else (in the direction the literature finds attacks in) and combined by
 *    Fisher's method; the most suspicious `suspiciousShare` of users are the suspects;
 * 2. the attack as a group: an item is pushed when far more of its top ratings come from suspects
 *    than chance allows (binomial tail, corrected for the number of items tested), and a pushed
 *    item whose suspects mostly push a stronger one is collateral (a bandwagon's popular items).
 * A suspect who top-rated a primary pushed item is flagged, with the reason.
 */
import {
  DEFAULT_SHILLING_FEATURE_OPTIONS,
  type ShillingFeatureOptions,
  shillingFeatures,
} from './features.ts';
import { buildRatingMatrix, type RatingMatrix } from './ratings.ts';
import type { InteractionEvent } from '#domain/catalog/types.ts';

export interface ShillingDetectorOptions extends ShillingFeatureOptions {
  /** Share of users, the most suspicious by their own profile, counted as suspects (default 0.1). */
  suspiciousShare: number;
  /** Fewest suspects among an item's top raters for it to count as pushed (default 3). */
  minGroup: number;
  /**
   * Expected number of items wrongly called pushed per run on data with no attack (default 0.1):
   * an item is pushed when its binomial tail is below falsePushes / items tested.
   */
  falsePushes: number;
  /** A pushed item is collateral when this share of its suspects already push a stronger one (default 0.5). */
  collateralOverlap: number;
  /** The per-item view's "recent" window, days (default 30). */
  recentDays: number;
}

export const DEFAULT_SHILLING_DETECTOR_OPTIONS: ShillingDetectorOptions = {
  ...DEFAULT_SHILLING_FEATURE_OPTIONS,
  suspiciousShare: 0.1,
  minGroup: 3,
  falsePushes: 0.1,
  collateralOverlap: 0.5,
  recentDays: 30,
};

/**
 * The features the first step reads, each with the side attacks show up on: `up` = high values are
 * suspicious, `both` = either extreme (DegSim is high for profiles copying popular items and low for
 * random filler; FMV is low for average-attack filler and high for random filler).
 */
export const EVIDENCE_FEATURES = {
  rdma: 'up',
  wdma: 'up',
  wda: 'up',
  lengthVar: 'up',
  degSim: 'both',
  fmv: 'both',
  fmtd: 'up',
  coArrival: 'up',
} as const;

export type EvidenceFeature = keyof typeof EVIDENCE_FEATURES;

export interface ShillingVerdict {
  userId: string;
  /** 0..1: ownSuspicion x (0.5 + 0.5 x groupEvidence) (the model's ONNX graph computes the same). */
  score: number;
  /** Percentile of the profile's combined own evidence among all users, 0..1. */
  ownSuspicion: number;
  /** Strength of the strongest primary push the user top-rated, 0..1 (0 for none). */
  groupEvidence: number;
  flagged: boolean;
  /** Percentile (0..1, 1 = most extreme on the suspicious side) of each feature. */
  evidence: Record<EvidenceFeature, number>;
  /** Share of the user's top ratings that land on pushed items (target focus), 0..1. */
  targetFocus: number;
  /** The pushed item the user helped push (flagged users). */
  pushedItemId?: string;
  /** Why the user is flagged, in words (flagged users only). */
  reason?: string;
}

export interface PushedItem {
  itemId: string;
  /** -ln of the binomial tail: how unlikely that many suspects among its top raters are by chance. */
  significance: number;
  topRatings: number;
  suspiciousTopRatings: number;
  /** Top ratings in the last `recentDays`, and how many of those came from flagged users. */
  recentTopRatings: number;
  recentFromFlagged: number;
  /** Other pushed items whose suspects are mostly this item's (their push is part of this attack). */
  collateralItemIds: string[];
  reason: string;
}

export interface ShillingDetection {
  /** One verdict per user with a rating profile, most suspicious first. */
  verdicts: ShillingVerdict[];
  /** Primary pushed items, most significant first (each naming the collateral items of the same push). */
  pushedItems: PushedItem[];
  /** Users and items the run looked at, and the pushed-item bar it used (-ln p). */
  users: number;
  itemsTested: number;
  pushBar: number;
}

/** Runs both steps over every user's events as of `now` (epoch ms). */
export function detectShilling(
  events: readonly InteractionEvent[],
  now: number,
  options: ShillingDetectorOptions = DEFAULT_SHILLING_DETECTOR_OPTIONS,
): ShillingDetection {
  const matrix = buildRatingMatrix(events.filter((e) => e.timestamp < now));
  const n = matrix.users.length;
  if (n === 0) return { verdicts: [], pushedItems: [], users: 0, itemsTested: 0, pushBar: 0 };
  const features = shillingFeatures(matrix, options);
  const tails = Object.fromEntries(
    Object.entries(EVIDENCE_FEATURES).map(([name, side]) => [
      name,
      tailProbabilities(features[name as EvidenceFeature], side),
    ]),
  ) as Record<EvidenceFeature, Float64Array>;
  const combined = fisherCombination(Object.values(tails), n);
  const ownPercentile = Float64Array.from(tailProbabilities(combined, 'up'), (p) => 1 - p);
  const suspects = mostSuspicious(combined, Math.max(1, Math.ceil(options.suspiciousShare * n)));
  const pushes = pushedItems(matrix, suspects, options);
  const verdicts = matrix.userIds.map((_, u) =>
    verdictOf(matrix, u, {
      tails,
      ownPercentile,
      suspiciousShare: options.suspiciousShare,
      pushes,
    }),
  );
  const flagged = new Set(verdicts.filter((v) => v.flagged).map((v) => v.userId));
  return {
    verdicts: verdicts.sort((a, b) => b.score - a.score || (a.userId < b.userId ? -1 : 1)),
    pushedItems: describePushes(matrix, pushes, flagged, now, options.recentDays),
    users: n,
    itemsTested: pushes.itemsTested,
    pushBar: pushes.bar,
  };
}

/** Per user, the share of users at least as extreme on `side` (ties count against), in (0, 1]. */
export function tailProbabilities(values: ArrayLike<number>, side: 'up' | 'both'): Float64Array {
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  const atLeast = (x: number) => n - countBelow(sorted, x);
  const atMost = (x: number) => countBelow(sorted, x, true);
  return Float64Array.from(values, (x) => {
    const up = (atLeast(x) + 1) / (n + 1);
    if (side === 'up') return up;
    const down = (atMost(x) + 1) / (n + 1);
    return Math.min(1, 2 * Math.min(up, down));
  });
}

/** Fisher's method: Σ -ln p over the features, per user (larger = more jointly extreme). */
function fisherCombination(tails: Float64Array[], n: number): Float64Array {
  const out = new Float64Array(n);
  for (const p of tails) for (let u = 0; u < n; u++) out[u] -= Math.log(p[u]);
  return out;
}

function mostSuspicious(combined: Float64Array, count: number): Set<number> {
  const order = Array.from(combined, (_, u) => u).sort((a, b) => combined[b] - combined[a] || a - b);
  return new Set(order.slice(0, count));
}

interface Pushes {
  /** Significance per item (0 when below minGroup). */
  significance: Float64Array;
  /** Primary pushed items, most significant first, each with its collateral items. */
  primary: { item: number; collateral: number[] }[];
  /** Every pushed item (primary or collateral). */
  pushed: Set<number>;
  itemsTested: number;
  bar: number;
  topRaters: Int32Array;
  suspiciousTopRaters: Int32Array;
}

/** Step 2: significance of each item's suspects among its top raters, the pushed items and their grouping. */
function pushedItems(matrix: RatingMatrix, suspects: Set<number>, options: ShillingDetectorOptions): Pushes {
  const items = matrix.itemIds.length;
  const topRaters = new Int32Array(items);
  const suspiciousTopRaters = new Int32Array(items);
  const suspectsOf = new Map<number, number[]>();
  matrix.users.forEach((user, u) => {
    user.items.forEach((i, k) => {
      if (user.ratings[k] < matrix.scale.max) return;
      topRaters[i]++;
      if (!suspects.has(u)) return;
      suspiciousTopRaters[i]++;
      const list = suspectsOf.get(i) ?? [];
      list.push(u);
      suspectsOf.set(i, list);
    });
  });
  // Chance level: the suspects' share of all top ratings (not of users: heavy raters top-rate more items).
  let allTop = 0;
  let suspectTop = 0;
  for (let i = 0; i < items; i++) {
    allTop += topRaters[i];
    suspectTop += suspiciousTopRaters[i];
  }
  const rate = allTop > 0 ? suspectTop / allTop : 0;
  let itemsTested = 0;
  for (let i = 0; i < items; i++) if (topRaters[i] > 0) itemsTested++;
  const bar = Math.log(Math.max(1, itemsTested) / options.falsePushes);
  const significance = new Float64Array(items);
  for (const [i, list] of suspectsOf) {
    if (list.length >= options.minGroup)
      significance[i] = binomialTailSurprise(list.length, topRaters[i], rate);
  }
  const pushed = [...suspectsOf.keys()]
    .filter((i) => significance[i] >= bar)
    .sort((a, b) => significance[b] - significance[a] || a - b);
  // The strongest push claims its suspects; a weaker one made mostly by them is part of the same attack.
  const claimedBy = new Map<number, number>();
  const primary: Pushes['primary'] = [];
  for (const i of pushed) {
    const list = suspectsOf.get(i) as number[];
    const owners = new Map<number, number>();
    for (const u of list) {
      const owner = claimedBy.get(u);
      if (owner !== undefined) owners.set(owner, (owners.get(owner) ?? 0) + 1);
    }
    const [owner, shared] = [...owners].sort((a, b) => b[1] - a[1])[0] ?? [-1, 0];
    if (shared >= options.collateralOverlap * list.length) {
      primary.find((p) => p.item === owner)?.collateral.push(i);
      continue;
    }
    primary.push({ item: i, collateral: [] });
    for (const u of list) if (!claimedBy.has(u)) claimedBy.set(u, i);
  }
  return {
    significance,
    primary,
    pushed: new Set(pushed),
    itemsTested,
    bar,
    topRaters,
    suspiciousTopRaters,
  };
}

function verdictOf(
  matrix: RatingMatrix,
  u: number,
  step: {
    tails: Record<EvidenceFeature, Float64Array>;
    ownPercentile: Float64Array;
    suspiciousShare: number;
    pushes: Pushes;
  },
): ShillingVerdict {
  const { pushes } = step;
  const user = matrix.users[u];
  const top = Array.from(user.items).filter((_, k) => user.ratings[k] >= matrix.scale.max);
  const onPushed = top.filter((i) => pushes.pushed.has(i)).length;
  // The strongest primary push among the user's top ratings, as a share of twice the bar (capped at
  // 1). Collateral items are popular ones the attackers also rate (bandwagon): many real users rate
  // them at the top too, so they say nothing about a user.
  let strongest = -1;
  for (const { item } of pushes.primary) {
    if (top.includes(item) && (strongest < 0 || pushes.significance[item] > pushes.significance[strongest])) {
      strongest = item;
    }
  }
  const groupEvidence = strongest < 0 ? 0 : Math.min(1, pushes.significance[strongest] / (2 * pushes.bar));
  const own = step.ownPercentile[u];
  const evidence = Object.fromEntries(
    Object.entries(step.tails).map(([name, p]) => [name, round(1 - p[u])]),
  ) as Record<EvidenceFeature, number>;
  // A member of a push whose own profile is among the most suspicious (twice the suspects' share, so
  // an attacker just outside the suspects is still caught by the group they joined).
  const flagged = strongest >= 0 && own >= 1 - 2 * step.suspiciousShare;
  return {
    userId: matrix.userIds[u],
    score: round(own * (0.5 + 0.5 * groupEvidence)),
    ownSuspicion: own,
    groupEvidence,
    flagged,
    evidence,
    targetFocus: round(top.length > 0 ? onPushed / top.length : 0),
    ...(flagged
      ? {
          pushedItemId: matrix.itemIds[strongest],
          reason: userReason(matrix, strongest, pushes, evidence, own),
        }
      : {}),
  };
}

function userReason(
  matrix: RatingMatrix,
  item: number,
  pushes: Pushes,
  evidence: Record<EvidenceFeature, number>,
  own: number,
): string {
  const strongest = (Object.entries(evidence) as [EvidenceFeature, number][])
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, p]) => `${name} above ${Math.floor(p * 100)}% of users`);
  return (
    `gave item ${matrix.itemIds[item]} a top rating as one of ${pushes.suspiciousTopRaters[item]} suspicious ` +
    `accounts among its ${pushes.topRaters[item]} top raters (chance p < ${pValue(pushes.significance[item])}); ` +
    `profile more suspicious than ${Math.floor(own * 100)}% of users (${strongest.join(', ')})`
  );
}

function describePushes(
  matrix: RatingMatrix,
  pushes: Pushes,
  flagged: ReadonlySet<string>,
  now: number,
  recentDays: number,
): PushedItem[] {
  const since = now - recentDays * 86_400_000;
  return pushes.primary.map(({ item, collateral }) => {
    let recent = 0;
    let recentFlagged = 0;
    matrix.raters[item].forEach((u, k) => {
      const user = matrix.users[u];
      const position = countBelow(user.items, item);
      if (matrix.itemRatings[item][k] < matrix.scale.max || user.arrivals[position] < since) return;
      recent++;
      if (flagged.has(matrix.userIds[u])) recentFlagged++;
    });
    const suspicious = pushes.suspiciousTopRaters[item];
    const total = pushes.topRaters[item];
    return {
      itemId: matrix.itemIds[item],
      significance: round(pushes.significance[item]),
      topRatings: total,
      suspiciousTopRatings: suspicious,
      recentTopRatings: recent,
      recentFromFlagged: recentFlagged,
      collateralItemIds: collateral.map((i) => matrix.itemIds[i]),
      reason:
        `${suspicious} of its ${total} top ratings come from suspicious accounts (chance p < ${pValue(pushes.significance[item])})` +
        (recent > 0
          ? `; ${recentFlagged} of its ${recent} top ratings in the last ${recentDays} days are from flagged accounts`
          : '') +
        (collateral.length > 0 ? `; the same accounts also push ${collateral.length} other item(s)` : ''),
    };
  });
}

/** -ln P(X >= k) for X ~ Binomial(n, p), summed in log space from the k-th term. */
export function binomialTailSurprise(k: number, n: number, p: number): number {
  if (k <= 0) return 0;
  if (p <= 0) return Number.POSITIVE_INFINITY;
  if (p >= 1) return 0;
  let logTerm = 0;
  for (let j = 0; j < k; j++) logTerm += Math.log((n - j) / (j + 1));
  logTerm += k * Math.log(p) + (n - k) * Math.log(1 - p);
  let sum = 1;
  let ratio = 1;
  for (let j = k; j < n; j++) {
    ratio *= ((n - j) / (j + 1)) * (p / (1 - p));
    sum += ratio;
    if (ratio < 1e-12 * sum) break;
  }
  return Math.max(0, -(logTerm + Math.log(sum)));
}

/** A p-value bound for a surprise, in a short form ("1e-7"). */
function pValue(surprise: number): string {
  const exponent = Math.floor(-surprise / Math.LN10);
  return exponent >= -1 ? Math.exp(-surprise).toFixed(2) : `1e${exponent + 1}`;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** How many of the ascending `sorted` values are below `x` (or at most `x` when `inclusive`). */
function countBelow(sorted: ArrayLike<number>, x: number, inclusive = false): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x || (inclusive && sorted[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
