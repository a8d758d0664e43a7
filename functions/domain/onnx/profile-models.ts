/**
 * ONNX graphs for the three audience-profile models. Each takes the raw model vector as `features`
 * (float32 [N, D]) so serving only encodes features; scaling lives inside the graph.
 */
import { encodeModel, floatTensor, int64Tensor, node, type OnnxNode, valueInfo } from './graph.ts';

export interface SegmentGraphInput {
  mean: number[];
  scale: number[];
  /** Centroids in standardised space, k rows of D. */
  centroids: number[][];
  metadata?: Record<string, string>;
}

/** k-means assignment: standardise, squared distance to every centroid, ArgMin. Outputs `segment` int64 [N], `distances` [N,k]. */
export function buildSegmentGraph(input: SegmentGraphInput): Uint8Array {
  const d = input.mean.length;
  const k = input.centroids.length;
  return encodeModel({
    name: 'profile-segments',
    inputs: [valueInfo('features', 'float', ['N', d])],
    outputs: [valueInfo('segment', 'int64', ['N']), valueInfo('distances', 'float', ['N', k])],
    initializers: [
      floatTensor('mean', [1, d], Float32Array.from(input.mean)),
      floatTensor('scale', [1, d], Float32Array.from(input.scale)),
      floatTensor('centroids', [k, d], Float32Array.from(input.centroids.flat())),
      int64Tensor('unsqueeze_axes', [1], [1]),
      int64Tensor('sum_axes', [1], [2]),
    ],
    nodes: [
      node('Sub', ['features', 'mean'], ['centred']),
      node('Div', ['centred', 'scale'], ['standardised']),
      node('Unsqueeze', ['standardised', 'unsqueeze_axes'], ['standardised_3d']),
      // [N,1,D] - [k,D] broadcasts to [N,k,D]: exact per-centroid differences, no |x|²-2x·c+|c|² cancellation.
      node('Sub', ['standardised_3d', 'centroids'], ['differences']),
      node('Mul', ['differences', 'differences'], ['squares']),
      node('ReduceSum', ['squares', 'sum_axes'], ['distances'], { keepdims: 0 }),
      node('ArgMin', ['distances'], ['segment'], { axis: 1, keepdims: 0 }),
    ],
    metadata: input.metadata,
  });
}

export interface AnomalyGraphInput {
  trees: { feature: number[]; threshold: number[]; left: number[]; right: number[]; pathLength: number[] }[];
  /** c(ψ): the score is 2^(-mean path length / normaliser). */
  normaliser: number;
  featureCount: number;
  metadata?: Record<string, string>;
}

/** Isolation forest: TreeEnsembleRegressor averages leaf path lengths, then 2^(-h/c). Output `score` [N,1]. */
export function buildAnomalyGraph(input: AnomalyGraphInput): Uint8Array {
  const treeCount = input.trees.length;
  const ensemble = treeEnsembleNode(
    input.trees.map((tree) => ({ ...tree, leafValue: tree.pathLength.map((p) => p / treeCount) })),
    'features',
    'mean_path_length',
    0,
  );
  return encodeModel({
    name: 'profile-anomaly',
    inputs: [valueInfo('features', 'float', ['N', input.featureCount])],
    outputs: [valueInfo('score', 'float', ['N', 1])],
    initializers: [
      floatTensor('two', [1], Float32Array.of(2)),
      floatTensor('minus_inverse_normaliser', [1], Float32Array.of(-1 / input.normaliser)),
    ],
    nodes: [
      ensemble,
      node('Mul', ['mean_path_length', 'minus_inverse_normaliser'], ['exponent']),
      node('Pow', ['two', 'exponent'], ['score']),
    ],
    metadata: input.metadata,
  });
}

export interface BoostedChurnGraphInput {
  trees: { feature: number[]; threshold: number[]; left: number[]; right: number[]; value: number[] }[];
  /** Log-odds every prediction starts from. */
  baseScore: number;
  featureCount: number;
  metadata?: Record<string, string>;
}

/** Gradient-boosted trees: TreeEnsembleRegressor sums leaf log-odds on the base score, then Sigmoid. Output `churn_probability` [N,1]. */
export function buildBoostedChurnGraph(input: BoostedChurnGraphInput): Uint8Array {
  const ensemble = treeEnsembleNode(
    input.trees.map((tree) => ({ ...tree, leafValue: tree.value })),
    'features',
    'log_odds',
    input.baseScore,
  );
  return encodeModel({
    name: 'profile-churn',
    inputs: [valueInfo('features', 'float', ['N', input.featureCount])],
    outputs: [valueInfo('churn_probability', 'float', ['N', 1])],
    initializers: [],
    nodes: [ensemble, node('Sigmoid', ['log_odds'], ['churn_probability'])],
    metadata: input.metadata,
  });
}

export interface ShillingGraphInput {
  metadata?: Record<string, string>;
}

/**
 * The shilling detector's last step: `evidence` float32 [N, 2] = (own suspicion percentile, group
 * evidence), both 0..1, to `score` [N, 1] = own x (0.5 + 0.5 x group), so a profile that is odd on
 * its own but pushes nothing with others stays at most 0.5.
 */
export function buildShillingGraph(input: ShillingGraphInput): Uint8Array {
  return encodeModel({
    name: 'profile-shilling',
    inputs: [valueInfo('evidence', 'float', ['N', 2])],
    outputs: [valueInfo('score', 'float', ['N', 1])],
    initializers: [
      floatTensor('half', [1], Float32Array.of(0.5)),
      int64Tensor('own_start', [1], [0]),
      int64Tensor('group_start', [1], [1]),
      int64Tensor('group_end', [1], [2]),
      int64Tensor('column_axis', [1], [1]),
    ],
    nodes: [
      node('Slice', ['evidence', 'own_start', 'group_start', 'column_axis'], ['own']),
      node('Slice', ['evidence', 'group_start', 'group_end', 'column_axis'], ['group']),
      node('Mul', ['group', 'half'], ['half_group']),
      node('Add', ['half_group', 'half'], ['lift']),
      node('Mul', ['own', 'lift'], ['score']),
    ],
    metadata: input.metadata,
  });
}

interface FlatTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** Value credited at each leaf (ignored at internal nodes). */
  leafValue: number[];
}

/**
 * One ai.onnx.ml TreeEnsembleRegressor (SUM of leaf values plus `base`) over flat trees whose
 * internal nodes send `x < threshold` left. Built by hand: its string-array attribute needs STRINGS.
 */
function treeEnsembleNode(trees: FlatTree[], input: string, output: string, base: number): OnnxNode {
  const a = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    values: [] as number[],
    modes: [] as string[],
    trueIds: [] as number[],
    falseIds: [] as number[],
    targetTreeIds: [] as number[],
    targetNodeIds: [] as number[],
    targetWeights: [] as number[],
  };
  trees.forEach((tree, t) => {
    for (let n = 0; n < tree.feature.length; n++) {
      const leaf = tree.feature[n] < 0;
      a.treeIds.push(t);
      a.nodeIds.push(n);
      a.featureIds.push(leaf ? 0 : tree.feature[n]);
      a.values.push(leaf ? 0 : tree.threshold[n]);
      a.modes.push(leaf ? 'LEAF' : 'BRANCH_LT');
      a.trueIds.push(leaf ? 0 : tree.left[n]);
      a.falseIds.push(leaf ? 0 : tree.right[n]);
      if (leaf) {
        a.targetTreeIds.push(t);
        a.targetNodeIds.push(n);
        a.targetWeights.push(tree.leafValue[n]);
      }
    }
  });
  return node(
    'TreeEnsembleRegressor',
    [input],
    [output],
    {
      n_targets: 1,
      aggregate_function: 'SUM',
      post_transform: 'NONE',
      base_values: [base],
      nodes_treeids: a.treeIds,
      nodes_nodeids: a.nodeIds,
      nodes_featureids: a.featureIds,
      nodes_values: a.values,
      nodes_modes: a.modes,
      nodes_truenodeids: a.trueIds,
      nodes_falsenodeids: a.falseIds,
      target_treeids: a.targetTreeIds,
      target_nodeids: a.targetNodeIds,
      target_ids: new Array(a.targetTreeIds.length).fill(0),
      target_weights: a.targetWeights,
    },
    {
      floatAttributes: ['base_values', 'nodes_values', 'target_weights'],
      domain: 'ai.onnx.ml',
      name: `tree_ensemble_${output}`,
    },
  );
}

export interface ChurnGraphInput {
  coefficients: number[];
  intercept: number;
  metadata?: Record<string, string>;
}

/** Logistic regression as ai.onnx.ml LinearClassifier (LOGISTIC). Output `churn_probability` [N,1]. */
export function buildChurnGraph(input: ChurnGraphInput): Uint8Array {
  const d = input.coefficients.length;
  return encodeModel({
    name: 'profile-churn',
    inputs: [valueInfo('features', 'float', ['N', d])],
    outputs: [valueInfo('churn_probability', 'float', ['N', 1])],
    initializers: [
      int64Tensor('slice_starts', [1], [1]),
      int64Tensor('slice_ends', [1], [2]),
      int64Tensor('slice_axes', [1], [1]),
    ],
    nodes: [
      node(
        'LinearClassifier',
        ['features'],
        ['label', 'probabilities'],
        {
          coefficients: input.coefficients,
          intercepts: [input.intercept],
          classlabels_ints: [0, 1],
          post_transform: 'LOGISTIC',
        },
        { floatAttributes: ['coefficients', 'intercepts'], domain: 'ai.onnx.ml' },
      ),
      node('Slice', ['probabilities', 'slice_starts', 'slice_ends', 'slice_axes'], ['churn_probability']),
    ],
    metadata: input.metadata,
  });
}
