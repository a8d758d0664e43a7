/**
 * ONNX graphs for every recommendation model. All share one interface so serving treats them
 * alike; the graph does the scoring and the top-k:
 *   inputs  history int64 [h] (catalog indices), historyWeights float [1,h], bias float [1,n]
 *           (0, or -1e9 to exclude; filters and seen items), k int64 [1];
 *           trending adds window int64 [1]; hybrid adds alpha float [1] (collaborative share)
 *   outputs scores float [1,k], indices int64 [1,k]; EASE adds contributions float [h,1,k]
 *           (each history item's share of each result, for "because you watched X").
 */
import { floatTensor, GraphBuilder, int64Tensor } from '#domain/onnx/graph.ts';
import type { AlsModel } from './als.ts';
import type { ContentModel } from './content.ts';
import type { EaseModel } from './ease.ts';
import type { PopularityModel, TrendingModel } from './popularity.ts';

/** Score given to items a graph cannot score (EASE's unmodelled items). */
export const UNSCORED = -1e30;

function declareIo(b: GraphBuilder, n: number): void {
  b.input('history', 'int64', ['h']);
  b.input('historyWeights', 'float', [1, 'h']);
  b.input('bias', 'float', [1, n]);
  b.input('k', 'int64', [1]);
}

function finishTopK(b: GraphBuilder, raw: string, n: number): void {
  const biased = b.op('Add', [raw, 'bias']);
  b.opMulti('TopK', [biased, 'k'], ['scores', 'indices'], { axis: -1, largest: 1, sorted: 1 });
  b.output('scores', 'float', [1, 'k']);
  b.output('indices', 'int64', [1, 'k']);
  void n;
}

/** EASE raw scores in catalog space [1,n]; unmodelled items get `fill`. Returns [scores, rows]. */
function easeScores(b: GraphBuilder, model: EaseModel, fill: number): { scores: string; rows: string } {
  const n = model.itemIds.length;
  const m = model.modelled.length;
  // Catalog index -> local row; unmodelled items point at an extra all-zero row.
  const localOf = new Array<number>(n).fill(m);
  model.modelled.forEach((item, k) => {
    localOf[item] = k;
  });
  const padded = new Float32Array((m + 1) * m);
  padded.set(model.weights);
  const weights = b.constant(floatTensor('ease_weights', [m + 1, m], padded));
  const local = b.op('Gather', [b.constant(int64Tensor('ease_local_of', [n], localOf)), 'history'], {
    axis: 0,
  });
  const rows = b.op('Gather', [weights, local], { axis: 0 });
  const summed = b.op('MatMul', ['historyWeights', rows]);
  const scaled = b.op('Mul', [
    summed,
    b.constant(floatTensor('ease_column_scale', [1, m], model.columnScale)),
  ]);
  const flat = b.op('Reshape', [scaled, b.ints('shape', [-1])]);
  const base = b.floats('fill', new Array(n).fill(fill), [n]);
  const modelledIdx = b.constant(int64Tensor('ease_modelled', [m], Array.from(model.modelled)));
  const scattered = b.op('ScatterElements', [base, modelledIdx, flat], { axis: 0 });
  return { scores: b.op('Unsqueeze', [scattered, b.ints('axes', [0])]), rows };
}

/** EASE: gathers the history's weight rows, sums them, scales columns, top-k. */
export function buildEaseGraph(model: EaseModel): GraphBuilder {
  const b = new GraphBuilder('ease');
  const n = model.itemIds.length;
  declareIo(b, n);
  const { scores, rows } = easeScores(b, model, UNSCORED);
  finishTopK(b, scores, n);
  // contributions[h,1,k] = weight_h x B[h, local(top_j)]: which history item drove each result.
  const localOf = new Array<number>(n).fill(model.modelled.length);
  model.modelled.forEach((item, k) => {
    localOf[item] = k;
  });
  const topLocal = b.op('Gather', [b.constant(int64Tensor('ease_local_of_top', [n], localOf)), 'indices'], {
    axis: 0,
  });
  // Unmodelled results map to column m, past the end: clamp to m-1 (their scores are UNSCORED anyway).
  const clamped = b.op('Min', [topLocal, b.ints('last', [model.modelled.length - 1])]);
  const picked = b.op('Gather', [rows, clamped], { axis: 1 });
  const w = b.op('Reshape', ['historyWeights', b.ints('shape', [-1, 1, 1])]);
  b.op('Mul', [picked, w], {}, { output: 'contributions' });
  b.output('contributions', 'float', ['h', 1, 'k']);
  return b;
}

/** ALS: folds the history into a user vector inside the graph (exact solve), then Gemm + top-k. */
export function buildAlsGraph(model: AlsModel): GraphBuilder {
  const b = new GraphBuilder('als');
  const n = model.itemIds.length;
  const _d = model.options.factors;
  declareIo(b, n);
  finishTopK(b, alsScores(b, model), n);
  return b;
}

function alsScores(b: GraphBuilder, model: AlsModel): string {
  const n = model.itemIds.length;
  const d = model.options.factors;
  const y = b.constant(floatTensor('als_item_factors', [n, d], model.itemFactors));
  const gram = b.constant(floatTensor('als_gram', [d, d], model.gramPlusLambda));
  const yh = b.op('Gather', [y, 'history'], { axis: 0 });
  const cw = b.op('Mul', ['historyWeights', b.floats('alpha', [model.options.alpha])]);
  const cwColumn = b.op('Transpose', [cw], { perm: [1, 0] });
  const weighted = b.op('Mul', [yh, cwColumn]);
  const a = b.op('Add', [gram, b.op('MatMul', [b.op('Transpose', [yh], { perm: [1, 0] }), weighted])]);
  const rhs = b.op('MatMul', [b.op('Add', [cw, b.floats('one', [1])]), yh]);
  const inverse = b.op('Inverse', [a], {}, { domain: 'com.microsoft' });
  const user = b.op('MatMul', [rhs, inverse]);
  return b.op('Gemm', [user, y], { transB: 1 });
}

/** Neighbour-table scores [1,n]: scatter-adds each history item's weighted neighbours. */
function neighbourScores(b: GraphBuilder, model: ContentModel, prefix: string): string {
  const { itemCount: n, width, indices, weights } = model.table;
  // Padding (-1) points at item 0 with weight 0, which adds nothing.
  const safe = Array.from(indices, (i) => Math.max(i, 0));
  const idx = b.constant(int64Tensor(`${prefix}_neighbour_indices`, [n, width], safe));
  const w = b.constant(floatTensor(`${prefix}_neighbour_weights`, [n, width], weights));
  const gi = b.op('Gather', [idx, 'history'], { axis: 0 });
  const gw = b.op('Gather', [w, 'history'], { axis: 0 });
  const column = b.op('Transpose', ['historyWeights'], { perm: [1, 0] });
  const flatShape = b.ints('shape', [-1]);
  const flatIdx = b.op('Reshape', [gi, flatShape]);
  const flatW = b.op('Reshape', [b.op('Mul', [gw, column]), flatShape]);
  const zeros = b.floats('zeros', new Array(n).fill(0), [n]);
  const summed = b.op('ScatterElements', [zeros, flatIdx, flatW], { axis: 0, reduction: 'add' });
  return b.op('Unsqueeze', [summed, b.ints('axes', [0])]);
}

/** Content: sum of TF-IDF cosine neighbours of the history, top-k. */
export function buildContentGraph(model: ContentModel): GraphBuilder {
  const b = new GraphBuilder('content');
  const n = model.itemIds.length;
  declareIo(b, n);
  finishTopK(b, neighbourScores(b, model, 'content'), n);
  return b;
}

/** Scales a [1,n] score row by its largest absolute value so two models blend on one scale. */
function normalised(b: GraphBuilder, scores: string): string {
  const max = b.op('ReduceMax', [b.op('Abs', [scores])], { keepdims: 1 });
  return b.op('Div', [scores, b.op('Add', [max, b.floats('eps', [1e-9])])]);
}

/** Hybrid: alpha x EASE + (1 - alpha) x content, each normalised; alpha is an input (history-dependent). */
export function buildHybridGraph(ease: EaseModel, content: ContentModel): GraphBuilder {
  const b = new GraphBuilder('hybrid');
  const n = ease.itemIds.length;
  declareIo(b, n);
  b.input('alpha', 'float', [1]);
  const collaborative = normalised(b, easeScores(b, ease, 0).scores);
  const similar = normalised(b, neighbourScores(b, content, 'content'));
  const oneMinus = b.op('Sub', [b.floats('one', [1]), 'alpha']);
  const blended = b.op('Add', [b.op('Mul', [collaborative, 'alpha']), b.op('Mul', [similar, oneMinus])]);
  finishTopK(b, blended, n);
  return b;
}

/** Popularity: a fixed score row plus bias, top-k. */
export function buildPopularityGraph(model: PopularityModel): GraphBuilder {
  const b = new GraphBuilder('popularity');
  const n = model.itemIds.length;
  b.input('bias', 'float', [1, n]);
  b.input('k', 'int64', [1]);
  finishTopK(b, b.constant(floatTensor('popularity_scores', [1, n], model.scores)), n);
  return b;
}

/** Trending: one score row per window, chosen by the `window` input. */
export function buildTrendingGraph(model: TrendingModel): GraphBuilder {
  const b = new GraphBuilder('trending');
  const n = model.itemIds.length;
  b.input('window', 'int64', [1]);
  b.input('bias', 'float', [1, n]);
  b.input('k', 'int64', [1]);
  const table = b.constant(floatTensor('trending_scores', [model.windows.length, n], model.scores));
  finishTopK(b, b.op('Gather', [table, 'window'], { axis: 0 }), n);
  return b;
}
