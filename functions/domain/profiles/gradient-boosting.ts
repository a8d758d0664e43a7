/**
 * Gradient-boosted regression trees for binary log-loss (Newton leaf values, quantile-binned splits,
 * as in XGBoost/LightGBM, much smaller). Thresholds are float32 so the ONNX export scores identically.
 */
import { sigmoid } from './logistic-regression.ts';

export interface BoostedTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** Leaf contribution to the log-odds (learning rate applied); 0 at internal nodes. */
  value: number[];
}

export interface BoostedTreesModel {
  /** Log-odds every prediction starts from (the training base rate). */
  baseScore: number;
  trees: BoostedTree[];
}

export interface BoostingOptions {
  trees?: number;
  depth?: number;
  learningRate?: number;
  /** Smallest hessian sum (≈ rows · p(1-p)) a leaf may hold. */
  minLeafHessian?: number;
  /** L2 penalty on leaf values. */
  lambda?: number;
  /** Candidate thresholds per feature (quantiles). */
  bins?: number;
}

/** Fits P(y=1|x) = σ(base + Σ tree(x)) on 0/1 labels. */
export function trainBoostedTrees(
  rows: readonly number[][],
  labels: readonly number[],
  options: BoostingOptions = {},
): BoostedTreesModel {
  const n = rows.length;
  const positives = labels.reduce((a, b) => a + b, 0);
  const p0 = Math.min(1 - 1e-6, Math.max(1e-6, positives / Math.max(1, n)));
  const baseScore = Math.log(p0 / (1 - p0));
  const grower: TreeGrower = {
    bins: quantileBins(rows, options.bins ?? 32),
    gradient: new Float64Array(n),
    hessian: new Float64Array(n),
    depth: options.depth ?? 3,
    rate: options.learningRate ?? 0.1,
    lambda: options.lambda ?? 1,
    minHessian: options.minLeafHessian ?? 2,
  };
  const score = new Float64Array(n).fill(baseScore);
  const trees: BoostedTree[] = [];
  for (let t = 0; t < (options.trees ?? 100); t++) {
    // Newton step on the log-loss: each tree fits the current gradient and hessian per row.
    for (let i = 0; i < n; i++) {
      const p = sigmoid(score[i]);
      grower.gradient[i] = p - labels[i];
      grower.hessian[i] = Math.max(p * (1 - p), 1e-12);
    }
    const tree: BoostedTree = { feature: [], threshold: [], left: [], right: [], value: [] };
    growNode(
      grower,
      tree,
      Array.from({ length: n }, (_, i) => i),
      0,
    );
    trees.push(tree);
    for (let i = 0; i < n; i++) score[i] += predictTree(tree, rows[i]);
  }
  return { baseScore, trees };
}

/** Candidate split thresholds per feature and each row's bin under them. */
interface QuantileBins {
  /** Float32 thresholds per feature, ascending. */
  thresholds: number[][];
  /** Per feature, each row's bin: bin k means thresholds[k-1] <= value < thresholds[k]. */
  binned: Uint8Array[];
}

/** Up to `bins` - 1 quantile thresholds per feature (float32, so the ONNX export splits identically). */
function quantileBins(rows: readonly number[][], bins: number): QuantileBins {
  const n = rows.length;
  const d = rows[0]?.length ?? 0;
  const thresholds: number[][] = [];
  const binned: Uint8Array[] = [];
  for (let j = 0; j < d; j++) {
    const values = Float32Array.from(rows, (r) => r[j]).sort();
    const cuts = new Set<number>();
    for (let b = 1; b < bins; b++) {
      const v = values[Math.floor((b * n) / bins)];
      // A cut strictly above the smallest value so "x < cut" separates something.
      if (v > values[0]) cuts.add(v);
    }
    const sorted = [...cuts].sort((a, b) => a - b);
    thresholds.push(sorted);
    const column = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const v = Math.fround(rows[i][j]);
      let bin = 0;
      while (bin < sorted.length && !(v < sorted[bin])) bin++;
      column[i] = bin;
    }
    binned.push(column);
  }
  return { thresholds, binned };
}

/** What growing one tree reads: the binned rows, this round's gradients and the tree settings. */
interface TreeGrower {
  bins: QuantileBins;
  gradient: Float64Array;
  hessian: Float64Array;
  depth: number;
  rate: number;
  lambda: number;
  minHessian: number;
}

/** Adds a node for `members` to `tree` (a leaf at full depth or without a useful split); returns its id. */
function growNode(grower: TreeGrower, tree: BoostedTree, members: number[], level: number): number {
  const id = tree.feature.length;
  tree.feature.push(-1);
  tree.threshold.push(0);
  tree.left.push(-1);
  tree.right.push(-1);
  tree.value.push(0);
  let g = 0;
  let h = 0;
  for (const i of members) {
    g += grower.gradient[i];
    h += grower.hessian[i];
  }
  const split = level < grower.depth ? bestSplit(grower, members, g, h) : undefined;
  if (!split) {
    tree.value[id] = (-g / (h + grower.lambda)) * grower.rate;
    return id;
  }
  const column = grower.bins.binned[split.feature];
  const leftMembers = members.filter((i) => column[i] <= split.bin);
  const rightMembers = members.filter((i) => column[i] > split.bin);
  tree.feature[id] = split.feature;
  // Rows in bins 0..bin are exactly those below thresholds[bin].
  tree.threshold[id] = grower.bins.thresholds[split.feature][split.bin];
  tree.left[id] = growNode(grower, tree, leftMembers, level + 1);
  tree.right[id] = growNode(grower, tree, rightMembers, level + 1);
  return id;
}

/** The (feature, bin) split of `members` with the largest gain in the Newton objective, if any gains. */
function bestSplit(
  grower: TreeGrower,
  members: number[],
  g: number,
  h: number,
): { feature: number; bin: number } | undefined {
  const { lambda, minHessian, gradient, hessian } = grower;
  const parent = (g * g) / (h + lambda);
  let best: { feature: number; bin: number; gain: number } | undefined;
  grower.bins.thresholds.forEach((cutsOfFeature, j) => {
    const cuts = cutsOfFeature.length;
    if (cuts === 0) return;
    const gs = new Float64Array(cuts + 1);
    const hs = new Float64Array(cuts + 1);
    const column = grower.bins.binned[j];
    for (const i of members) {
      gs[column[i]] += gradient[i];
      hs[column[i]] += hessian[i];
    }
    let gl = 0;
    let hl = 0;
    for (let b = 0; b < cuts; b++) {
      gl += gs[b];
      hl += hs[b];
      const gr = g - gl;
      const hr = h - hl;
      if (hl < minHessian || hr < minHessian) continue;
      const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parent;
      if (gain > 1e-9 && (!best || gain > best.gain)) best = { feature: j, bin: b, gain };
    }
  });
  return best;
}

/** One tree's contribution to the log-odds for `row`. */
export function predictTree(tree: BoostedTree, row: readonly number[]): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    node = Math.fround(row[tree.feature[node]]) < tree.threshold[node] ? tree.left[node] : tree.right[node];
  }
  return tree.value[node];
}

/** P(y=1) for one row. */
export function predictBoostedTrees(model: BoostedTreesModel, row: readonly number[]): number {
  let z = model.baseScore;
  for (const tree of model.trees) z += predictTree(tree, row);
  return sigmoid(z);
}
