/**
 * Shilling-detection features of every rating profile (docs/profiles.md cites each source):
 * - RDMA, rating deviation from mean agreement (Chirita, Nejdl and Zamfir 2005);
 * - WDMA and WDA, its variants weighting rarely rated items up (Mobasher et al. 2007);
 * - LengthVar, how far a profile's length is from the average (Burke et al. 2006);
 * - DegSim, mean similarity to the k nearest neighbours (Chirita et al. 2005);
 * - FMV and FMTD, filler mean variance and filler-target difference (Burke et al. 2006;
 *   Mobasher et al. 2007), with the items rated at the top of the scale taken as the targets;
 * - co-arrival: how many other users reach the same top-rated item within days of this user,
 *   against what the item's own pace predicts (a burst as a campaign makes, after Zhang et al.'s
 *   time-interval detection, 2006);
 * - target focus (computed with the detector, see detector.ts): how much of a user's top ratings
 *   land on items many suspicious users push (after Williams, Mobasher and Burke's target model
 *   focus, 2007).
 */
import type { RatingMatrix } from './ratings.ts';

export interface ShillingFeatureOptions {
  /** Neighbours DegSim averages over (default 25). */
  neighbours: number;
  /** Similarities over fewer co-rated items are shrunk in proportion (significance weighting; default 10). */
  minOverlap: number;
  /** Raters of one item the similarity pass pairs up; more popular items are sampled (default 1,000). */
  maxRatersPerItem: number;
  /** Users reaching an item within this many days of each other arrive together (default 7). */
  arrivalWindowDays: number;
  /** Co-arrival surprise from which a top rater counts as arriving with a group (default 3, p ≈ 0.05). */
  groupSurprise: number;
}

export const DEFAULT_SHILLING_FEATURE_OPTIONS: ShillingFeatureOptions = {
  neighbours: 25,
  minOverlap: 10,
  maxRatersPerItem: 1000,
  arrivalWindowDays: 7,
  groupSurprise: 3,
};

/** Per-user features, one array per feature, indexed like `matrix.users`. */
export interface ShillingFeatures {
  rdma: Float64Array;
  wdma: Float64Array;
  wda: Float64Array;
  lengthVar: Float64Array;
  degSim: Float64Array;
  fmv: Float64Array;
  fmtd: Float64Array;
  /** Largest co-arrival surprise over the user's top-rated items, -ln P(at least that many | the item's pace). */
  coArrival: Float64Array;
  /** The item behind each user's co-arrival figure (-1 without one). */
  coArrivalItem: Int32Array;
  /** Per item, its top raters who arrived together with others beyond chance (surprise >= groupSurprise). */
  arrivalGroups: Map<number, number[]>;
}

const DAY_MS = 86_400_000;

/** Every feature but target focus, for every user of `matrix`. */
export function shillingFeatures(
  matrix: RatingMatrix,
  options: ShillingFeatureOptions = DEFAULT_SHILLING_FEATURE_OPTIONS,
): ShillingFeatures {
  const deviation = deviationFeatures(matrix);
  const arrivals = coArrivals(matrix, options.arrivalWindowDays * DAY_MS, options.groupSurprise);
  return {
    ...deviation,
    lengthVar: lengthVariance(matrix),
    degSim: degreeOfSimilarity(matrix, options),
    ...fillerFeatures(matrix),
    ...arrivals,
  };
}

/** RDMA, WDMA and WDA: |r_ui - mean_i| weighted by 1/NR_i (RDMA, WDA) or 1/NR_i² (WDMA), over the profile. */
export function deviationFeatures(matrix: RatingMatrix): {
  rdma: Float64Array;
  wdma: Float64Array;
  wda: Float64Array;
} {
  const n = matrix.users.length;
  const rdma = new Float64Array(n);
  const wdma = new Float64Array(n);
  const wda = new Float64Array(n);
  matrix.users.forEach((user, u) => {
    let byCount = 0;
    let byCountSquared = 0;
    user.items.forEach((i, k) => {
      const raters = matrix.raters[i].length;
      const deviation = Math.abs(user.ratings[k] - matrix.itemMean[i]);
      byCount += deviation / raters;
      byCountSquared += deviation / (raters * raters);
    });
    const length = Math.max(1, user.items.length);
    rdma[u] = byCount / length;
    wdma[u] = byCountSquared / length;
    wda[u] = byCount;
  });
  return { rdma, wdma, wda };
}

/** LengthVar: |n_u - mean n| / Σ_v (n_v - mean n)², n = profile length. */
export function lengthVariance(matrix: RatingMatrix): Float64Array {
  const lengths = matrix.users.map((u) => u.items.length);
  const mean = lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length);
  const spread = lengths.reduce((a, l) => a + (l - mean) ** 2, 0);
  return Float64Array.from(lengths, (l) => (spread > 0 ? Math.abs(l - mean) / spread : 0));
}

/**
 * FMV and FMTD. The profile's targets are its items rated at the top of the scale, the filler the
 * rest: FMV = mean (r_ui - mean_i)² over the filler, FMTD = |mean target rating - mean filler rating|.
 */
export function fillerFeatures(matrix: RatingMatrix): { fmv: Float64Array; fmtd: Float64Array } {
  const n = matrix.users.length;
  const fmv = new Float64Array(n);
  const fmtd = new Float64Array(n);
  matrix.users.forEach((user, u) => {
    let squares = 0;
    let fillerSum = 0;
    let fillers = 0;
    let targetSum = 0;
    let targets = 0;
    user.items.forEach((i, k) => {
      const r = user.ratings[k];
      if (r >= matrix.scale.max) {
        targetSum += r;
        targets++;
      } else {
        squares += (r - matrix.itemMean[i]) ** 2;
        fillerSum += r;
        fillers++;
      }
    });
    fmv[u] = fillers > 0 ? squares / fillers : 0;
    fmtd[u] = fillers > 0 && targets > 0 ? Math.abs(targetSum / targets - fillerSum / fillers) : 0;
  });
  return { fmv, fmtd };
}

/**
 * DegSim: mean of the k largest similarities to other users, each a Pearson correlation over the
 * co-rated items (ratings centred on each user's mean), shrunk by overlap / minOverlap below minOverlap.
 * Pairs are found through the items (cost Σ_i raters_i², capped per item by sampling).
 */
export function degreeOfSimilarity(matrix: RatingMatrix, options: ShillingFeatureOptions): Float64Array {
  const n = matrix.users.length;
  const centred = matrix.users.map((user) => {
    const mean = user.ratings.reduce((a, b) => a + b, 0) / Math.max(1, user.ratings.length);
    return user.ratings.map((r) => r - mean);
  });
  const position = matrix.users.map((user) => new Map(Array.from(user.items, (i, k) => [i, k])));
  const raterPool = matrix.raters.map((raters) => sampledRaters(raters, options.maxRatersPerItem));
  const dot = new Float64Array(n);
  const normU = new Float64Array(n);
  const normV = new Float64Array(n);
  const overlap = new Int32Array(n);
  const out = new Float64Array(n);
  for (let u = 0; u < n; u++) {
    const touched: number[] = [];
    matrix.users[u].items.forEach((i, k) => {
      const zu = centred[u][k];
      for (const v of raterPool[i]) {
        if (v === u) continue;
        const zv = centred[v][position[v].get(i) as number];
        if (overlap[v] === 0) touched.push(v);
        overlap[v]++;
        dot[v] += zu * zv;
        normU[v] += zu * zu;
        normV[v] += zv * zv;
      }
    });
    const similarities = touched.map((v) => {
      const denominator = Math.sqrt(normU[v] * normV[v]);
      const pearson = denominator > 0 ? dot[v] / denominator : 0;
      return pearson * Math.min(1, overlap[v] / options.minOverlap);
    });
    for (const v of touched) {
      dot[v] = 0;
      normU[v] = 0;
      normV[v] = 0;
      overlap[v] = 0;
    }
    similarities.sort((a, b) => b - a);
    const k = Math.min(options.neighbours, similarities.length);
    out[u] = k > 0 ? similarities.slice(0, k).reduce((a, b) => a + b, 0) / k : 0;
  }
  return out;
}

/** Up to `max` raters, evenly spaced through the list (deterministic, no random state needed). */
function sampledRaters(raters: Int32Array, max: number): Int32Array {
  if (raters.length <= max) return raters;
  const step = raters.length / max;
  return Int32Array.from({ length: max }, (_, k) => raters[Math.floor(k * step)]);
}

/**
 * Co-arrival per user: for each item the user rated at the top, how many other top raters arrived
 * within `windowMs` of them, against the count the item's pace predicts ((top raters - 1) x 2 windows
 * / the item's span of arrivals); the surprise is the Poisson tail -ln P(X >= count). The user's
 * figure is the largest over their top-rated items.
 */
export function coArrivals(
  matrix: RatingMatrix,
  windowMs: number,
  groupSurprise: number,
): Pick<ShillingFeatures, 'coArrival' | 'coArrivalItem' | 'arrivalGroups'> {
  const n = matrix.users.length;
  const coArrival = new Float64Array(n);
  const coArrivalItem = new Int32Array(n).fill(-1);
  const arrivalGroups = new Map<number, number[]>();
  const position = matrix.users.map((user) => new Map(Array.from(user.items, (i, k) => [i, k])));
  matrix.raters.forEach((raters, i) => {
    if (raters.length < 2) return;
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    const top: { user: number; arrival: number }[] = [];
    for (const v of raters) {
      const k = position[v].get(i) as number;
      const arrival = matrix.users[v].arrivals[k];
      first = Math.min(first, arrival);
      last = Math.max(last, arrival);
      if (matrix.users[v].ratings[k] >= matrix.scale.max) top.push({ user: v, arrival });
    }
    if (top.length < 2) return;
    top.sort((a, b) => a.arrival - b.arrival);
    const span = Math.max(last - first, 2 * windowMs);
    const expected = ((top.length - 1) * 2 * windowMs) / span;
    // Two pointers over arrivals: the others within ±window of each top rater.
    let lo = 0;
    let hi = 0;
    top.forEach(({ user, arrival }, k) => {
      while (top[lo].arrival < arrival - windowMs) lo++;
      while (hi + 1 < top.length && top[hi + 1].arrival <= arrival + windowMs) hi++;
      const together = Math.max(hi, k) - lo;
      const surprise = poissonTailSurprise(together, expected);
      if (surprise >= groupSurprise) {
        const group = arrivalGroups.get(i) ?? [];
        group.push(user);
        arrivalGroups.set(i, group);
      }
      if (surprise > coArrival[user]) {
        coArrival[user] = surprise;
        coArrivalItem[user] = i;
      }
    });
  });
  return { coArrival, coArrivalItem, arrivalGroups };
}

/** -ln P(X >= count) for X ~ Poisson(mean); 0 for count 0. */
export function poissonTailSurprise(count: number, mean: number): number {
  if (count <= 0) return 0;
  if (mean <= 0) return 50;
  // P(X >= c) = 1 - Σ_{j<c} e^-m m^j / j!, summed in log space from the largest term down.
  let term = Math.exp(-mean);
  let below = 0;
  for (let j = 0; j < count; j++) {
    below += term;
    term *= mean / (j + 1);
  }
  const tail = 1 - below;
  if (tail > 1e-12) return -Math.log(tail);
  // The tail is dominated by its first term when it is this small.
  let logTerm = -mean;
  for (let j = 1; j <= count; j++) logTerm += Math.log(mean / j);
  return Math.min(50, -logTerm);
}
