/**
 * Trains the three audience-profile models (segments, anomaly, churn) from events and exports each to
 * ONNX with JSON metadata. Pure: the retrain job supplies data and stores the artifacts.
 */
import type { InteractionEvent, Item, UserAttributes } from '#domain/catalog/types.ts';
import { createRandom } from '#domain/random/seeded.ts';
import { readModelMetadata } from '#domain/onnx/graph.ts';
import {
  buildAnomalyGraph,
  buildBoostedChurnGraph,
  buildChurnGraph,
  buildSegmentGraph,
} from '#domain/onnx/profile-models.ts';
import { type BoostedTreesModel, predictBoostedTrees, trainBoostedTrees } from './gradient-boosting.ts';
import { featuresOfSorted, groupEventsByUser, type ProfileFeatures, upperBound } from './features.ts';
import { type IsolationForestModel, isolationScore, trainIsolationForest } from './isolation-forest.ts';
import { chooseK, fitStandardiser, nearestCentroid, sampleRows, standardise } from './kmeans.ts';
import { type LogisticModel, predictLogistic, trainLogisticRegression } from './logistic-regression.ts';
import { rocAuc } from './roc-auc.ts';
import { describeSegments, type SegmentSummary } from './segment-labels.ts';
import {
  ANOMALY_COLUMNS,
  anomalyVector,
  CHURN_COLUMNS,
  churnVector,
  segmentColumns,
  segmentVector,
} from './vectors.ts';

const DAY_MS = 86_400_000;

export const PROFILE_MODEL_NAMES = {
  segments: 'profile-segments',
  anomaly: 'profile-anomaly',
  churn: 'profile-churn',
} as const;

export interface ProfileTrainingInput {
  events: readonly InteractionEvent[];
  items: readonly Item[];
  users?: readonly UserAttributes[];
  /** Epoch ms the training data ends at (features are computed as of this instant). */
  now: number;
}

export interface ProfileTrainingConfig {
  /** Range k is chosen from by silhouette (default 4..10). */
  kMin: number;
  kMax: number;
  /** Rows the silhouette is measured on (default 1,000). */
  silhouetteSample: number;
  /** Most genres used as segment columns (default 12, the most engaged-with). */
  segmentGenres: number;
  /** Users with fewer events are scored but not trained on, and answered with low confidence (default 5). */
  minEvents: number;
  /** Churn = no activity in the next N days (default 14). */
  churnHorizonDays: number;
  /** Only users active in this many days before a cut-off are churn candidates (default 28). */
  churnActiveWindowDays: number;
  anomalyTrees: number;
  anomalySampleSize: number;
  /** Expected share of anomalous users; the flag threshold is the matching score quantile (default 0.01). */
  anomalyContamination: number;
  /** Lowest score that may ever be flagged, whatever the quantile says (default 0.55). */
  anomalyMinThreshold: number;
  /** Cap on rows fed to k-means and the isolation forest (large audiences are sampled; default 50,000). */
  maxTrainingRows: number;
  seed: number;
}

export const DEFAULT_PROFILE_TRAINING_CONFIG: ProfileTrainingConfig = {
  kMin: 4,
  kMax: 10,
  silhouetteSample: 1000,
  segmentGenres: 12,
  minEvents: 5,
  churnHorizonDays: 14,
  churnActiveWindowDays: 28,
  anomalyTrees: 100,
  anomalySampleSize: 256,
  anomalyContamination: 0.01,
  anomalyMinThreshold: 0.55,
  maxTrainingRows: 50_000,
  seed: 1,
};

export interface SegmentModelMetadata {
  name: typeof PROFILE_MODEL_NAMES.segments;
  columns: string[];
  genres: string[];
  mean: number[];
  scale: number[];
  /** Centroids in standardised space. */
  centroids: number[][];
  segments: SegmentSummary[];
  asOf: number;
}

export interface AnomalyModelMetadata {
  name: typeof PROFILE_MODEL_NAMES.anomaly;
  columns: string[];
  /** Scores at or above this are flagged. */
  threshold: number;
  contamination: number;
  asOf: number;
}

export type ChurnAlgorithm = 'logistic-regression' | 'gradient-boosted-trees';

/** The served churn model: whichever algorithm measured better on the held-out window. */
export type ChurnModel =
  | { algorithm: 'logistic-regression'; logistic: LogisticModel }
  | { algorithm: 'gradient-boosted-trees'; boosted: BoostedTreesModel };

/** P(churn) for one churn vector, by either algorithm. */
export function predictChurn(model: ChurnModel, row: readonly number[]): number {
  return model.algorithm === 'logistic-regression'
    ? predictLogistic(model.logistic, row)
    : predictBoostedTrees(model.boosted, row);
}

export interface ChurnModelMetadata {
  name: typeof PROFILE_MODEL_NAMES.churn;
  columns: string[];
  algorithm: ChurnAlgorithm;
  /** Held-out ROC-AUC of every algorithm tried (absent when the window has one class); the best one is served. */
  candidates: { algorithm: ChurnAlgorithm; auc?: number }[];
  horizonDays: number;
  /** Logistic regression only: coefficients on the raw columns and the intercept. */
  coefficients?: number[];
  intercept?: number;
  /** Cut-off of the window the served model was fitted on (epoch ms). */
  trainedCutoff: number;
  asOf: number;
}

export type ProfileModelMetadata = SegmentModelMetadata | AnomalyModelMetadata | ChurnModelMetadata;

export interface ProfileArtifact<M extends ProfileModelMetadata = ProfileModelMetadata> {
  name: M['name'];
  onnx: Uint8Array;
  metadata: M;
}

export interface ProfileMetrics {
  segments: {
    k: number;
    silhouette: number;
    inertia: number;
    silhouettes: { k: number; silhouette: number }[];
    trainedUsers: number;
  };
  anomaly: {
    threshold: number;
    flaggedShare: number;
    /** Mean score of the top `contamination` share minus the median score. */
    separation: number;
    trainedUsers: number;
  };
  churn: {
    /** ROC-AUC on the later, held-out window (model fitted on the earlier window); absent when that window has one class. */
    auc?: number;
    trainRows: number;
    testRows: number;
    testChurnRate: number;
    algorithm: ChurnAlgorithm;
    candidates: { algorithm: ChurnAlgorithm; auc?: number }[];
  };
}

/** The in-memory TypeScript models: the reference the ONNX exports are checked against. */
export interface ProfileReferenceModels {
  segments: SegmentModelMetadata;
  anomaly: { metadata: AnomalyModelMetadata; forest: IsolationForestModel };
  churn: { metadata: ChurnModelMetadata; model: ChurnModel };
}

export interface ProfileTrainingResult {
  artifacts: {
    segments: ProfileArtifact<SegmentModelMetadata>;
    anomaly: ProfileArtifact<AnomalyModelMetadata>;
    churn: ProfileArtifact<ChurnModelMetadata>;
  };
  metrics: ProfileMetrics;
  reference: ProfileReferenceModels;
  /** Features of every user as of `now`, reused by batch scoring. */
  features: Map<string, ProfileFeatures>;
}

/** ONNX metadata key holding a profile model's JSON metadata, so one .onnx file is the whole artifact. */
export const PROFILE_METADATA_KEY = 'marquee.profile-model';

function embedMetadata(metadata: ProfileModelMetadata): Record<string, string> {
  return { [PROFILE_METADATA_KEY]: JSON.stringify(metadata) };
}

/** The JSON metadata embedded in a profile model's ONNX bytes (see PROFILE_METADATA_KEY). */
export function metadataFromOnnx<M extends ProfileModelMetadata>(bytes: Uint8Array): M {
  const json = readModelMetadata(bytes)[PROFILE_METADATA_KEY];
  if (!json) throw new RangeError(`the ONNX model carries no '${PROFILE_METADATA_KEY}' metadata`);
  return JSON.parse(json) as M;
}

/** Trains segments, anomaly and churn models and exports each to ONNX. */
export function trainProfileModels(
  input: ProfileTrainingInput,
  config: Partial<ProfileTrainingConfig> = {},
): ProfileTrainingResult {
  const c = { ...DEFAULT_PROFILE_TRAINING_CONFIG, ...config };
  const itemsById = new Map(input.items.map((item) => [item.itemId, item]));
  const attributesById = new Map((input.users ?? []).map((u) => [u.userId, u]));
  const byUser = groupEventsByUser(input.events);
  const features = new Map<string, ProfileFeatures>();
  for (const [userId, events] of byUser) {
    const end = upperBound(events, input.now);
    features.set(
      userId,
      featuresOfSorted(userId, events.slice(0, end), itemsById, input.now, attributesById.get(userId)),
    );
  }
  const trainable = [...features.values()].filter((f) => f.activity.totalEvents >= c.minEvents);
  if (trainable.length < c.kMax + 1) {
    throw new RangeError(
      `profile training needs more than ${c.kMax} users with ${c.minEvents}+ events; got ${trainable.length}`,
    );
  }
  const random = createRandom(c.seed);
  const sample = sampleRows(trainable, c.maxTrainingRows, random);

  const segments = trainSegments(sample, c, input.now);
  const anomaly = trainAnomaly(sample, c, input.now);
  const churn = trainChurn(byUser, itemsById, c, input.now);

  return {
    artifacts: {
      segments: {
        name: PROFILE_MODEL_NAMES.segments,
        onnx: buildSegmentGraph({
          mean: segments.metadata.mean,
          scale: segments.metadata.scale,
          centroids: segments.metadata.centroids,
          metadata: embedMetadata(segments.metadata),
        }),
        metadata: segments.metadata,
      },
      anomaly: {
        name: PROFILE_MODEL_NAMES.anomaly,
        onnx: buildAnomalyGraph({
          trees: anomaly.forest.trees,
          normaliser: anomaly.forest.normaliser,
          featureCount: ANOMALY_COLUMNS.length,
          metadata: embedMetadata(anomaly.metadata),
        }),
        metadata: anomaly.metadata,
      },
      churn: {
        name: PROFILE_MODEL_NAMES.churn,
        onnx:
          churn.model.algorithm === 'logistic-regression'
            ? buildChurnGraph({ ...churn.model.logistic, metadata: embedMetadata(churn.metadata) })
            : buildBoostedChurnGraph({
                ...churn.model.boosted,
                featureCount: CHURN_COLUMNS.length,
                metadata: embedMetadata(churn.metadata),
              }),
        metadata: churn.metadata,
      },
    },
    metrics: { segments: segments.metrics, anomaly: anomaly.metrics, churn: churn.metrics },
    reference: {
      segments: segments.metadata,
      anomaly: { metadata: anomaly.metadata, forest: anomaly.forest },
      churn: { metadata: churn.metadata, model: churn.model },
    },
    features,
  };
}

/** k-means segments (k by silhouette) over the profiles' segment vectors, with labels and summaries. */
export function trainSegments(profiles: ProfileFeatures[], c: ProfileTrainingConfig, now: number) {
  const genreTotals = new Map<string, number>();
  for (const f of profiles)
    for (const g of f.interests.genres) genreTotals.set(g.name, (genreTotals.get(g.name) ?? 0) + g.weight);
  const genres = [...genreTotals]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, c.segmentGenres)
    .map(([g]) => g)
    .sort();
  const columns = segmentColumns(genres);
  const raw = profiles.map((f) => segmentVector(f, genres));
  const standardiser = fitStandardiser(raw);
  const rows = raw.map((r) => standardise(r, standardiser));
  const choice = chooseK(rows, c.kMin, c.kMax, { seed: c.seed, silhouetteSample: c.silhouetteSample });
  const sizes = new Array<number>(choice.k).fill(0);
  for (const row of rows) sizes[nearestCentroid(row, choice.model.centroids).index]++;
  const rawCentroids = choice.model.centroids.map((z) =>
    z.map((v, j) => v * standardiser.scale[j] + standardiser.mean[j]),
  );
  const metadata: SegmentModelMetadata = {
    name: PROFILE_MODEL_NAMES.segments,
    columns,
    genres,
    mean: standardiser.mean,
    scale: standardiser.scale,
    centroids: choice.model.centroids,
    segments: describeSegments(columns, choice.model.centroids, rawCentroids, sizes),
    asOf: now,
  };
  const silhouette = choice.silhouettes.find((s) => s.k === choice.k)?.silhouette ?? Number.NaN;
  return {
    metadata,
    metrics: {
      k: choice.k,
      silhouette,
      inertia: choice.model.inertia,
      silhouettes: choice.silhouettes,
      trainedUsers: rows.length,
    },
  };
}

/** Isolation forest over the profiles' anomaly vectors, with the flag threshold calibrated on them. */
export function trainAnomaly(profiles: ProfileFeatures[], c: ProfileTrainingConfig, now: number) {
  const rows = profiles.map(anomalyVector);
  const forest = trainIsolationForest(rows, {
    trees: c.anomalyTrees,
    sampleSize: c.anomalySampleSize,
    seed: c.seed,
  });
  const scores = rows.map((r) => isolationScore(forest, r)).sort((a, b) => a - b);
  const quantile =
    scores[Math.min(scores.length - 1, Math.floor(scores.length * (1 - c.anomalyContamination)))];
  const threshold = Math.max(c.anomalyMinThreshold, quantile);
  const metadata: AnomalyModelMetadata = {
    name: PROFILE_MODEL_NAMES.anomaly,
    columns: [...ANOMALY_COLUMNS],
    threshold,
    contamination: c.anomalyContamination,
    asOf: now,
  };
  const flagged = scores.filter((s) => s >= threshold).length;
  // How far the expected outliers stand from the typical user: the gate's "higher is better" figure.
  const top = scores.slice(Math.floor(scores.length * (1 - c.anomalyContamination)));
  const separation = top.reduce((a, b) => a + b, 0) / Math.max(1, top.length) - scores[scores.length >> 1];
  return {
    forest,
    metadata,
    metrics: { threshold, flaggedShare: flagged / scores.length, separation, trainedUsers: rows.length },
  };
}

/**
 * Fits one churn algorithm. With too little data (fewer than 10 rows, or one class only) the answer is
 * a logistic model of the base rate for everyone, so a young deployment still serves a probability.
 */
function fitChurn(algorithm: ChurnAlgorithm, data: ChurnDataset): ChurnModel {
  const positives = data.labels.reduce((a, b) => a + b, 0);
  if (data.rows.length < 10 || positives === 0 || positives === data.rows.length) {
    const rate = (positives + 1) / (data.rows.length + 2);
    return {
      algorithm: 'logistic-regression',
      logistic: {
        coefficients: new Array<number>(CHURN_COLUMNS.length).fill(0),
        intercept: Math.log(rate / (1 - rate)),
      },
    };
  }
  return algorithm === 'logistic-regression'
    ? { algorithm, logistic: trainLogisticRegression(data.rows, data.labels) }
    : { algorithm, boosted: trainBoostedTrees(data.rows, data.labels) };
}

export interface ChurnDataset {
  userIds: string[];
  rows: number[][];
  /** 1 = no activity in the horizon after the cut-off. */
  labels: number[];
}

/**
 * Churn rows at a cut-off: users active in the window before it, features from events before it,
 * label 1 when they have no event in [cutoff, cutoff + horizon).
 */
export function churnDatasetAt(
  byUser: ReadonlyMap<string, InteractionEvent[]>,
  itemsById: ReadonlyMap<string, Item>,
  cutoff: number,
  horizonDays: number,
  activeWindowDays: number,
): ChurnDataset {
  const out: ChurnDataset = { userIds: [], rows: [], labels: [] };
  for (const [userId, events] of byUser) {
    const end = upperBound(events, cutoff);
    if (end === 0 || events[end - 1].timestamp < cutoff - activeWindowDays * DAY_MS) continue;
    const features = featuresOfSorted(userId, events.slice(0, end), itemsById, cutoff);
    const activeAfter = end < events.length && events[end].timestamp < cutoff + horizonDays * DAY_MS;
    out.userIds.push(userId);
    out.rows.push(churnVector(features));
    out.labels.push(activeAfter ? 0 : 1);
  }
  return out;
}

/** Churn model on a time split: fitted on the earlier window, measured on the later, refitted on the later. */
export function trainChurn(
  byUser: ReadonlyMap<string, InteractionEvent[]>,
  itemsById: ReadonlyMap<string, Item>,
  c: ProfileTrainingConfig,
  now: number,
) {
  const horizon = c.churnHorizonDays * DAY_MS;
  // Labels need an observed horizon, so the windows end where the data does: a retrain run weeks after
  // the last event (a stale or demo data set) would otherwise find no active users and no AUC at all.
  const latest = latestEventTime(byUser);
  const dataEnd = Number.isFinite(latest) ? Math.min(now, latest + 1) : now;
  // Time split: fit on the earlier window, measure on the later one nobody trained on.
  const train = churnDatasetAt(
    byUser,
    itemsById,
    dataEnd - 2 * horizon,
    c.churnHorizonDays,
    c.churnActiveWindowDays,
  );
  const test = churnDatasetAt(
    byUser,
    itemsById,
    dataEnd - horizon,
    c.churnHorizonDays,
    c.churnActiveWindowDays,
  );
  // Both algorithms are fitted on the earlier window and measured on the later; the better one is served.
  const candidates = (['logistic-regression', 'gradient-boosted-trees'] as const).map((algorithm) => {
    const fitted = fitChurn(algorithm, train);
    const auc = rocAuc(
      test.rows.map((r) => predictChurn(fitted, r)),
      test.labels,
    );
    // rocAuc is NaN with one class; absent says "not measurable" and stays storable.
    return Number.isFinite(auc) ? { algorithm, auc } : { algorithm };
  });
  // Ties (and no AUC, when the window has one class) go to the simpler logistic regression.
  const aucOf = (candidate: { auc?: number }) => candidate.auc ?? Number.NEGATIVE_INFINITY;
  const best = aucOf(candidates[1]) > aucOf(candidates[0]) + 1e-9 ? candidates[1] : candidates[0];
  const auc = best.auc;
  // The served model is refitted with the same settings on the latest labelled window.
  const model = fitChurn(best.algorithm, test);
  const metadata: ChurnModelMetadata = {
    name: PROFILE_MODEL_NAMES.churn,
    columns: [...CHURN_COLUMNS],
    algorithm: model.algorithm,
    candidates,
    horizonDays: c.churnHorizonDays,
    ...(model.algorithm === 'logistic-regression'
      ? { coefficients: model.logistic.coefficients, intercept: model.logistic.intercept }
      : {}),
    trainedCutoff: dataEnd - horizon,
    asOf: now,
  };
  return {
    model,
    metadata,
    metrics: {
      ...(auc === undefined ? {} : { auc }),
      trainRows: train.rows.length,
      testRows: test.rows.length,
      testChurnRate: test.labels.reduce((a, b) => a + b, 0) / Math.max(1, test.labels.length),
      algorithm: model.algorithm,
      candidates,
    },
  };
}

/** Epoch ms of the newest event (lists are sorted oldest first); -Infinity with no events. */
function latestEventTime(byUser: ReadonlyMap<string, InteractionEvent[]>): number {
  let latest = Number.NEGATIVE_INFINITY;
  for (const events of byUser.values()) {
    const last = events[events.length - 1];
    if (last && last.timestamp > latest) latest = last.timestamp;
  }
  return latest;
}
