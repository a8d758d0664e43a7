/** k-means with k-means++ seeding, standardisation, and k chosen by silhouette. Rows are plain number[]. */
import { createRandom, type Random } from '#domain/random/seeded.ts';

export interface Standardiser {
  mean: number[];
  /** Standard deviation per column (1 where a column is constant, so it divides safely). */
  scale: number[];
}

/** Column means and standard deviations of `rows`. */
export function fitStandardiser(rows: readonly number[][]): Standardiser {
  const d = rows[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(0);
  for (const row of rows) for (let j = 0; j < d; j++) mean[j] += row[j];
  for (let j = 0; j < d; j++) mean[j] /= Math.max(1, rows.length);
  for (const row of rows) for (let j = 0; j < d; j++) scale[j] += (row[j] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) {
    const sd = Math.sqrt(scale[j] / Math.max(1, rows.length));
    scale[j] = sd > 1e-12 ? sd : 1;
  }
  return { mean, scale };
}

/** `(row - mean) / scale`, column by column. */
export function standardise(row: readonly number[], s: Standardiser): number[] {
  return row.map((v, j) => (v - s.mean[j]) / s.scale[j]);
}

export interface KMeansModel {
  centroids: number[][];
  /** Sum of squared distances of rows to their nearest centroid. */
  inertia: number;
  iterations: number;
}

export interface KMeansOptions {
  seed?: number;
  /** Independent k-means++ restarts; the lowest inertia wins (default 4). */
  restarts?: number;
  maxIterations?: number;
  /** Stop when no centroid moves more than this (squared, summed). */
  tolerance?: number;
  /**
   * Centroids to start from instead of k-means++ restarts (a warm start from the live version's):
   * Lloyd's steps from there reach the nearest optimum, so near-identical data gives the same clusters.
   */
  start?: number[][];
}

/** Lloyd's k-means with k-means++ seeding on already-scaled rows. */
export function trainKMeans(rows: readonly number[][], k: number, options: KMeansOptions = {}): KMeansModel {
  if (rows.length < k) throw new RangeError(`k-means needs at least k=${k} rows, got ${rows.length}`);
  const maxIterations = options.maxIterations ?? 300;
  const tolerance = options.tolerance ?? 1e-8;
  if (options.start) {
    if (options.start.length !== k)
      throw new RangeError(`a warm start of ${options.start.length} centroids for k=${k}`);
    return lloyd(
      rows,
      options.start.map((c) => [...c]),
      maxIterations,
      tolerance,
    );
  }
  const random = createRandom(options.seed ?? 1);
  let best: KMeansModel | undefined;
  for (let r = 0; r < (options.restarts ?? 4); r++) {
    const model = lloyd(rows, seedPlusPlus(rows, k, random), maxIterations, tolerance);
    if (!best || model.inertia < best.inertia) best = model;
  }
  return best!;
}

/** Index of the nearest centroid and its squared distance. */
export function nearestCentroid(
  row: readonly number[],
  centroids: readonly number[][],
): { index: number; distance: number } {
  let index = 0;
  let distance = Number.POSITIVE_INFINITY;
  for (let c = 0; c < centroids.length; c++) {
    const d = squaredDistance(row, centroids[c]);
    if (d < distance) {
      distance = d;
      index = c;
    }
  }
  return { index, distance };
}

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const diff = a[j] - b[j];
    s += diff * diff;
  }
  return s;
}

/** Greedy k-means++ (as scikit-learn): each new centre is the best of 2+ln(k) D²-weighted candidates. */
function seedPlusPlus(rows: readonly number[][], k: number, random: Random): number[][] {
  const n = rows.length;
  const trials = 2 + Math.floor(Math.log(k));
  const centres: number[][] = [rows[random.int(n)].slice()];
  const closest = new Float64Array(n);
  for (let i = 0; i < n; i++) closest[i] = squaredDistance(rows[i], centres[0]);
  while (centres.length < k) {
    let total = 0;
    for (let i = 0; i < n; i++) total += closest[i];
    let bestCandidate = -1;
    let bestPotential = Number.POSITIVE_INFINITY;
    let bestClosest: Float64Array | undefined;
    for (let t = 0; t < trials; t++) {
      let target = random.next() * total;
      let candidate = n - 1;
      for (let i = 0; i < n; i++) {
        target -= closest[i];
        if (target <= 0) {
          candidate = i;
          break;
        }
      }
      const next = new Float64Array(n);
      let potential = 0;
      for (let i = 0; i < n; i++) {
        next[i] = Math.min(closest[i], squaredDistance(rows[i], rows[candidate]));
        potential += next[i];
      }
      if (potential < bestPotential) {
        bestPotential = potential;
        bestCandidate = candidate;
        bestClosest = next;
      }
    }
    centres.push(rows[bestCandidate].slice());
    closest.set(bestClosest!);
  }
  return centres;
}

function lloyd(
  rows: readonly number[][],
  initial: number[][],
  maxIterations: number,
  tolerance: number,
): KMeansModel {
  const k = initial.length;
  const d = rows[0].length;
  let centroids = initial;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const sums = Array.from({ length: k }, () => new Array<number>(d).fill(0));
    const counts = new Array<number>(k).fill(0);
    for (const row of rows) {
      const { index } = nearestCentroid(row, centroids);
      counts[index]++;
      const sum = sums[index];
      for (let j = 0; j < d; j++) sum[j] += row[j];
    }
    let shift = 0;
    const next = sums.map((sum, c) => {
      // An emptied cluster keeps its old centre rather than collapsing to the origin.
      if (counts[c] === 0) return centroids[c];
      const centre = sum.map((v) => v / counts[c]);
      shift += squaredDistance(centre, centroids[c]);
      return centre;
    });
    centroids = next;
    if (shift <= tolerance) {
      iterations++;
      break;
    }
  }
  let inertia = 0;
  for (const row of rows) inertia += nearestCentroid(row, centroids).distance;
  return { centroids, inertia, iterations };
}

/** Mean silhouette coefficient of `rows` under `assignments` (O(n²); pass a sample). */
export function silhouetteScore(
  rows: readonly number[][],
  assignments: readonly number[],
  k: number,
): number {
  const n = rows.length;
  const sizes = new Array<number>(k).fill(0);
  for (const a of assignments) sizes[a]++;
  let total = 0;
  const sums = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++)
      if (i !== j) sums[assignments[j]] += Math.sqrt(squaredDistance(rows[i], rows[j]));
    const own = assignments[i];
    if (sizes[own] <= 1) continue; // scikit-learn scores singletons 0
    const a = sums[own] / (sizes[own] - 1);
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c] > 0) b = Math.min(b, sums[c] / sizes[c]);
    total += (b - a) / Math.max(a, b);
  }
  return total / n;
}

/** Deterministic sample of up to `size` rows (Fisher-Yates prefix). */
export function sampleRows<T>(rows: readonly T[], size: number, random: Random): T[] {
  if (rows.length <= size) return rows.slice();
  const indices = Array.from({ length: rows.length }, (_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + random.int(rows.length - i);
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  return indices.slice(0, size).map((i) => rows[i]);
}

export interface KChoice {
  k: number;
  model: KMeansModel;
  /** Silhouette of each k tried, on the sample. */
  silhouettes: { k: number; silhouette: number }[];
}

/**
 * Trains k-means for each k in [kMin, kMax] and keeps the k with the best silhouette on a sample.
 * With `keepK` (the live model's k), that k starts from `keepStart` (the live centroids) and stays
 * unless another one's silhouette is more than `switchGain` (relative) above it: on weakly clustered
 * audiences the silhouettes of neighbouring k differ by noise, and a nightly run that flips k, or
 * re-seeds k-means, re-segments most users.
 */
export function chooseK(
  rows: readonly number[][],
  kMin: number,
  kMax: number,
  options: Omit<KMeansOptions, 'start'> & {
    silhouetteSample?: number;
    keepK?: number;
    /** Where the kept k starts from (the live version's centroids in these rows' units). */
    keepStart?: number[][];
    switchGain?: number;
  } = {},
): KChoice {
  const random = createRandom((options.seed ?? 1) + 7919);
  const sample = sampleRows(rows, options.silhouetteSample ?? 1000, random);
  let best: KChoice | undefined;
  let kept: KChoice | undefined;
  const silhouettes: { k: number; silhouette: number }[] = [];
  const silhouetteOf = (k: number) => silhouettes.find((s) => s.k === k)?.silhouette ?? -1;
  for (let k = kMin; k <= Math.min(kMax, rows.length - 1); k++) {
    const start = k === options.keepK && options.keepStart?.length === k ? options.keepStart : undefined;
    const model = trainKMeans(rows, k, { ...options, start });
    const assignments = sample.map((row) => nearestCentroid(row, model.centroids).index);
    const silhouette = silhouetteScore(sample, assignments, k);
    silhouettes.push({ k, silhouette });
    if (!best || silhouette > silhouetteOf(best.k)) best = { k, model, silhouettes };
    if (k === options.keepK) kept = { k, model, silhouettes };
  }
  if (kept && best) {
    const keptSilhouette = silhouetteOf(kept.k);
    if (silhouetteOf(best.k) <= keptSilhouette + (options.switchGain ?? 0) * Math.abs(keptSilhouette))
      best = kept;
  }
  if (!best) throw new RangeError(`cannot choose k in [${kMin}, ${kMax}] for ${rows.length} rows`);
  return { ...best, silhouettes };
}
