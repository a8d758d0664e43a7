/**
 * EASE (Steck 2019): item-item weights B = I - P diag(1/diag(P)), P = (X'X + lambda I)^-1,
 * closed form. The Gram matrix is restricted to the `maxItems` most-interacted items (with at least
 * `minSupport` users): the inverse is O(n^3) and a dense 10k x 10k B is 400 MB. Measured on
 * ml-latest-small (stratified, k=10): 3,000 items give nDCG 0.413, 5,000 give 0.413, so 3,000 items
 * (36 MB float32) lose nothing; keeping each item's top-300 neighbours instead lost 0.02.
 */
import { invertSpd } from '#domain/onnx/linear-algebra.ts';
import { type InteractionMatrix, itemCounts } from './interactions.ts';

export interface EaseOptions {
  /** L2 regularisation added to the Gram diagonal. */
  lambda: number;
  /** Items modelled at most (the most popular first). */
  maxItems: number;
  /** Users an item needs to be modelled. */
  minSupport: number;
  /**
   * Popularity debiasing: target columns are multiplied by count^-beta, which lifts
   * relevant long-tail items (0 = plain EASE).
   */
  popularityExponent: number;
  /**
   * Share (0..1) of each co-occurrence that counts only when the two items were taken close together
   * in time: a pair counts `(1 - share) + share * exp(-|t_a - t_b| / sessionMs)` in the Gram matrix
   * (0 = plain EASE, where any two items of a history count 1).
   */
  sessionShare: number;
  /** Time scale of "close together", ms (the kernel's decay length). */
  sessionMs: number;
}

export const DEFAULT_EASE_OPTIONS: EaseOptions = {
  lambda: 200,
  maxItems: 3000,
  minSupport: 2,
  popularityExponent: 0.15,
  sessionShare: 0,
  sessionMs: 120_000,
};

/**
 * `ease-session`: EASE whose Gram matrix weighs pairs taken within minutes of each other. Chosen on
 * a validation split cut from the evaluation's training part (bench/tune-ease.ts; docs/recommendations.md
 * has the grid): share 0.85, 2 minutes, lambda 300.
 */
export const SESSION_EASE_OPTIONS: EaseOptions = {
  ...DEFAULT_EASE_OPTIONS,
  lambda: 300,
  sessionShare: 0.85,
  sessionMs: 120_000,
};

/**
 * EASE's and session EASE's options under one cap on modelled items (the EASE_MAX_MODELLED_ITEMS
 * setting): both retrain paths model the same items for both.
 */
export function easeOptionsCappedAt(maxItems: number): { ease: EaseOptions; sessionEase: EaseOptions } {
  return {
    ease: { ...DEFAULT_EASE_OPTIONS, maxItems },
    sessionEase: { ...SESSION_EASE_OPTIONS, maxItems },
  };
}

export interface EaseModel {
  kind: 'ease';
  options: EaseOptions;
  /** Catalog item ids (the matrix's columns). */
  itemIds: string[];
  /** Modelled items as catalog indices; local index k <-> catalog index modelled[k]. */
  modelled: Int32Array;
  /** Dense n x n weights over the modelled items (row = history item, column = target). */
  weights: Float32Array;
  /** Per-target scale count^-beta (ones when not debiased). */
  columnScale: Float32Array;
}

/** Chooses the modelled items: at least `minSupport` users, most popular first, at most `maxItems`. */
export function selectModelledItems(counts: Float64Array, maxItems: number, minSupport: number): Int32Array {
  const candidates: number[] = [];
  for (let i = 0; i < counts.length; i++) if (counts[i] >= minSupport) candidates.push(i);
  candidates.sort((a, b) => counts[b] - counts[a] || a - b);
  return Int32Array.from(candidates.slice(0, maxItems)).sort();
}

/** The pair weights of the Gram matrix: how much co-occurring in one history counts, by time apart. */
export type PairWeight = (timeA: number, timeB: number) => number;

/** Plain co-occurrence (1), or the session kernel of `options` when its share is positive. */
export function pairWeight(options: Pick<EaseOptions, 'sessionShare' | 'sessionMs'>): PairWeight | undefined {
  const { sessionShare: share, sessionMs: scale } = options;
  if (share <= 0) return undefined;
  // Past 40 time scales the kernel is below 1e-17: skip the exp.
  const cutoff = 40 * scale;
  return (a, b) => {
    const apart = Math.abs(a - b);
    return 1 - share + (apart < cutoff ? share * Math.exp(-apart / scale) : 0);
  };
}

/** X'X over the modelled columns (row-major n x n, float32), from the sparse rows; pairs weighted by `weigh`. */
export function gramMatrix(
  matrix: InteractionMatrix,
  modelled: Int32Array,
  weigh?: PairWeight,
): Float32Array {
  const n = modelled.length;
  const local = new Int32Array(matrix.itemIds.length).fill(-1);
  modelled.forEach((item, k) => {
    local[item] = k;
  });
  const gram = new Float32Array(n * n);
  const cols = new Int32Array(matrix.itemIds.length);
  const vals = new Float64Array(matrix.itemIds.length);
  const times = new Float64Array(matrix.itemIds.length);
  for (let u = 0; u + 1 < matrix.rowPtr.length; u++) {
    let c = 0;
    for (let p = matrix.rowPtr[u]; p < matrix.rowPtr[u + 1]; p++) {
      const k = local[matrix.cols[p]];
      if (k >= 0) {
        cols[c] = k;
        vals[c] = matrix.values[p];
        times[c] = matrix.times[p];
        c++;
      }
    }
    for (let a = 0; a < c; a++) {
      const row = cols[a] * n;
      const va = vals[a];
      if (weigh) for (let b = 0; b < c; b++) gram[row + cols[b]] += va * vals[b] * weigh(times[a], times[b]);
      else for (let b = 0; b < c; b++) gram[row + cols[b]] += va * vals[b];
    }
  }
  return gram;
}

/** Trains EASE over the modelled items (most popular first). */
export async function trainEase(
  matrix: InteractionMatrix,
  options: EaseOptions = DEFAULT_EASE_OPTIONS,
): Promise<EaseModel> {
  const counts = itemCounts(matrix);
  const modelled = selectModelledItems(counts, options.maxItems, options.minSupport);
  const weights = await easeWeights(matrix, modelled, options.lambda, pairWeight(options));
  const columnScale = new Float32Array(modelled.length);
  modelled.forEach((item, k) => {
    columnScale[k] = counts[item] ** -options.popularityExponent;
  });
  return { kind: 'ease', options, itemIds: matrix.itemIds, modelled, weights, columnScale };
}

/** Reference scorer: local scores (length n) for a history given in catalog indices. */
export function scoreEase(
  model: EaseModel,
  history: ArrayLike<number>,
  historyWeights: ArrayLike<number>,
): Float64Array {
  const n = model.modelled.length;
  const local = localIndex(model);
  const scores = new Float64Array(n);
  for (let h = 0; h < history.length; h++) {
    const r = local.get(history[h]);
    if (r === undefined) continue;
    const w = historyWeights[h];
    const base = r * n;
    for (let c = 0; c < n; c++) scores[c] += w * model.weights[base + c];
  }
  for (let c = 0; c < n; c++) scores[c] *= model.columnScale[c];
  return scores;
}

const localIndexes = new WeakMap<EaseModel, Map<number, number>>();
function localIndex(model: EaseModel): Map<number, number> {
  let map = localIndexes.get(model);
  if (!map) {
    map = new Map(Array.from(model.modelled, (item, k) => [item, k]));
    localIndexes.set(model, map);
  }
  return map;
}

/** The dense EASE weights over the modelled items (row-major n x n, zero diagonal). */
export async function easeWeights(
  matrix: InteractionMatrix,
  modelled: Int32Array,
  lambda: number,
  weigh?: PairWeight,
): Promise<Float32Array> {
  return easeWeightsFromGram(gramMatrix(matrix, modelled, weigh), modelled.length, lambda);
}

/**
 * The dense EASE weights from a Gram matrix X'X over n items (taken over and overwritten), however
 * it was summed: in one pass or as per-shard partials.
 */
export async function easeWeightsFromGram(
  gram: Float32Array,
  n: number,
  lambda: number,
): Promise<Float32Array> {
  for (let i = 0; i < n; i++) gram[i * n + i] += lambda;
  const p = await invertSpd(gram, n);
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) diag[i] = p[i * n + i];
  for (let r = 0; r < n; r++) {
    const base = r * n;
    for (let c = 0; c < n; c++) p[base + c] = r === c ? 0 : -p[base + c] / diag[c];
  }
  return p;
}
