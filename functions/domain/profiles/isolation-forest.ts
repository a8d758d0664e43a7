/**
 * Isolation forest (Liu, Ting and Zhou 2008), as scikit-learn's IsolationForest: random axis splits on
 * sub-samples; anomalies isolate in few splits. Thresholds are float32 so the ONNX export scores identically.
 */
import { createRandom, type Random } from '#domain/random/seeded.ts';

/** One tree as flat arrays; node 0 is the root. A leaf has feature -1 and carries its path length. */
export interface IsolationTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** Path length credited at a leaf: depth + c(leaf size); 0 at internal nodes. */
  pathLength: number[];
}

export interface IsolationForestModel {
  trees: IsolationTree[];
  /** Rows drawn per tree (ψ). */
  sampleSize: number;
  /** c(ψ), the average path length that normalises scores. */
  normaliser: number;
}

export interface IsolationForestOptions {
  trees?: number;
  sampleSize?: number;
  seed?: number;
}

const EULER_GAMMA = 0.5772156649015329;

/** Average path length of an unsuccessful BST search among n points, c(n). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** Fits an isolation forest on `rows` (default 100 trees of ψ = min(256, n)). */
export function trainIsolationForest(
  rows: readonly number[][],
  options: IsolationForestOptions = {},
): IsolationForestModel {
  const random = createRandom(options.seed ?? 1);
  const sampleSize = Math.min(options.sampleSize ?? 256, rows.length);
  const maxDepth = Math.ceil(Math.log2(Math.max(2, sampleSize)));
  const trees: IsolationTree[] = [];
  for (let t = 0; t < (options.trees ?? 100); t++) {
    const sample = drawWithoutReplacement(rows.length, sampleSize, random).map((i) => rows[i]);
    const tree: IsolationTree = { feature: [], threshold: [], left: [], right: [], pathLength: [] };
    growNode(tree, sample, 0, maxDepth, random);
    trees.push(tree);
  }
  return { trees, sampleSize, normaliser: averagePathLength(sampleSize) };
}

function drawWithoutReplacement(n: number, size: number, random: Random): number[] {
  const picked = new Set<number>();
  if (size * 2 > n) {
    const all = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < size; i++) {
      const j = i + random.int(n - i);
      [all[i], all[j]] = [all[j], all[i]];
    }
    return all.slice(0, size);
  }
  while (picked.size < size) picked.add(random.int(n));
  return [...picked];
}

function growNode(
  tree: IsolationTree,
  rows: number[][],
  depth: number,
  maxDepth: number,
  random: Random,
): number {
  const id = tree.feature.length;
  tree.feature.push(-1);
  tree.threshold.push(0);
  tree.left.push(-1);
  tree.right.push(-1);
  tree.pathLength.push(0);
  if (depth < maxDepth && rows.length > 1) {
    const split = chooseSplit(rows, random);
    if (split) {
      const leftRows = rows.filter((r) => Math.fround(r[split.feature]) < split.threshold);
      const rightRows = rows.filter((r) => !(Math.fround(r[split.feature]) < split.threshold));
      tree.feature[id] = split.feature;
      tree.threshold[id] = split.threshold;
      tree.left[id] = growNode(tree, leftRows, depth + 1, maxDepth, random);
      tree.right[id] = growNode(tree, rightRows, depth + 1, maxDepth, random);
      return id;
    }
  }
  tree.pathLength[id] = depth + averagePathLength(rows.length);
  return id;
}

/** A random feature that varies in `rows` and a float32 threshold strictly inside its range. */
function chooseSplit(rows: number[][], random: Random): { feature: number; threshold: number } | undefined {
  const d = rows[0].length;
  const order = Array.from({ length: d }, (_, i) => i);
  for (let i = 0; i < d; i++) {
    const j = i + random.int(d - i);
    [order[i], order[j]] = [order[j], order[i]];
    const feature = order[i];
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const row of rows) {
      const v = Math.fround(row[feature]);
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (max > min) {
      let threshold = Math.fround(min + random.next() * (max - min));
      // Rounding to float32 may land on min, which would send every row right.
      if (threshold <= min) threshold = max;
      return { feature, threshold };
    }
  }
  return undefined;
}

/** Path length of `row` in one tree. */
export function pathLengthIn(tree: IsolationTree, row: readonly number[]): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    node = Math.fround(row[tree.feature[node]]) < tree.threshold[node] ? tree.left[node] : tree.right[node];
  }
  return tree.pathLength[node];
}

/** Anomaly score in [0, 1]: 2^(-mean path length / c(ψ)); about 0.5 is ordinary, near 1 is anomalous. */
export function isolationScore(model: IsolationForestModel, row: readonly number[]): number {
  let sum = 0;
  for (const tree of model.trees) sum += pathLengthIn(tree, row);
  const meanPath = sum / model.trees.length;
  return 2 ** (-meanPath / model.normaliser);
}
