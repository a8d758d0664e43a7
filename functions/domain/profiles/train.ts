/**
 * Trains the three audience-profile models (segments, anomaly, churn) from events and exports each to
 * ONNX with JSON metadata. Pure: the retrain job supplies data and stores the artifacts.
 */
import { NotEnoughDataError } from '#domain/models/retrain-run.ts';
import type { InteractionEvent, Item, UserAttributes } from '#domain/catalog/types.ts';
import {
  buildAnomalyGraph,
  buildBoostedChurnGraph,
  buildChurnGraph,
  buildSegmentGraph,
} from '#domain/onnx/profile-models.ts';
import { createRandom } from '#domain/random/seeded.ts';
import { type ChurnModel, trainChurn } from './churn-training.ts';
import { featuresOfSorted, groupEventsByUser, type ProfileFeatures, upperBound } from './features.ts';
import { type IsolationForestModel, isolationScore, trainIsolationForest } from './isolation-forest.ts';
import {
  chooseK,
  fitStandardiser,
  nearestCentroid,
  type Standardiser,
  sampleRows,
  standardise,
} from './kmeans.ts';
import {
  type AnomalyModelMetadata,
  type ChurnAlgorithm,
  type ChurnModelMetadata,
  embedMetadata,
  type LiveProfileModels,
  PROFILE_MODEL_NAMES,
  type ProfileArtifact,
  type SegmentModelMetadata,
} from './model-artifacts.ts';
import { describeSegments } from './segment-labels.ts';
import { carrySegmentIds } from './segment-identity.ts';
import { ANOMALY_COLUMNS, anomalyVector, CHURN_COLUMNS, segmentColumns, segmentVector } from './vectors.ts';

export interface ProfileTrainingInput {
  events: readonly InteractionEvent[];
  items: readonly Item[];
  users?: readonly UserAttributes[];
  /** Epoch ms the training data ends at (features are computed as of this instant). */
  now: number;
  /**
   * The live models: segments carry on their ids (carrySegmentIds), k and centroids, churn its
   * algorithm, unless the data clearly favours another.
   */
  live?: LiveProfileModels;
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
  /**
   * Relative silhouette gain another k needs over the live version's k to replace it (default 0.25):
   * below it, a retrain keeps the live number of segments, so near-identical data does not re-segment
   * most users (silhouettes of neighbouring k differ by ~0.01-0.02 on weakly clustered audiences).
   */
  kSwitchGain: number;
  /**
   * AUC the other churn algorithm needs above the live version's to replace it (default 0.02, the
   * churn gate's tolerance): below it, a retrain keeps the live algorithm.
   */
  churnSwitchAuc: number;
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
  kSwitchGain: 0.25,
  churnSwitchAuc: 0.02,
  seed: 1,
};

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

/** Trains segments, anomaly and churn models and exports each to ONNX. */
export function trainProfileModels(
  input: ProfileTrainingInput,
  config: Partial<ProfileTrainingConfig> = {},
): ProfileTrainingResult {
  const c = { ...DEFAULT_PROFILE_TRAINING_CONFIG, ...config };
  const itemsById = new Map(input.items.map((item) => [item.itemId, item]));
  const byUser = groupEventsByUser(input.events);
  const features = featuresAsOf(byUser, itemsById, input);
  const trainable = trainableProfiles(features.values(), c);
  const sample = sampleRows(trainable, c.maxTrainingRows, createRandom(c.seed));
  return { ...trainOnProfiles(sample, byUser, itemsById, c, input.now, input.live), features };
}

/** The users models train on (enough events); too few of them is NotEnoughDataError. */
export function trainableProfiles(
  features: Iterable<ProfileFeatures>,
  c: Pick<ProfileTrainingConfig, 'minEvents' | 'kMax'>,
): ProfileFeatures[] {
  const trainable = [...features].filter((f) => f.activity.totalEvents >= c.minEvents);
  if (trainable.length < c.kMax + 1) {
    throw new NotEnoughDataError(
      `profile training needs more than ${c.kMax} users with ${c.minEvents}+ events; got ${trainable.length}`,
    );
  }
  return trainable;
}

/**
 * The three models from the training rows (`sample`) and the events churn is labelled from
 * (`byUser`: every user, or the sampled users' on the sharded path).
 */
export function trainOnProfiles(
  sample: ProfileFeatures[],
  byUser: ReadonlyMap<string, InteractionEvent[]>,
  itemsById: ReadonlyMap<string, Item>,
  c: ProfileTrainingConfig,
  now: number,
  live: LiveProfileModels = {},
): Omit<ProfileTrainingResult, 'features'> {
  const segments = trainSegments(sample, c, now, live.segments);
  const anomaly = trainAnomaly(sample, c, now);
  const churn = trainChurn(byUser, itemsById, c, now, live.churn?.algorithm);
  return {
    artifacts: exportArtifacts(segments.metadata, anomaly, churn),
    metrics: { segments: segments.metrics, anomaly: anomaly.metrics, churn: churn.metrics },
    reference: {
      segments: segments.metadata,
      anomaly: { metadata: anomaly.metadata, forest: anomaly.forest },
      churn: { metadata: churn.metadata, model: churn.model },
    },
  };
}

/** Every user's features as of `input.now`, with their attributes. */
export function featuresAsOf(
  byUser: ReadonlyMap<string, InteractionEvent[]>,
  itemsById: ReadonlyMap<string, Item>,
  input: ProfileTrainingInput,
): Map<string, ProfileFeatures> {
  const attributesById = new Map((input.users ?? []).map((u) => [u.userId, u]));
  const features = new Map<string, ProfileFeatures>();
  for (const [userId, events] of byUser) {
    const end = upperBound(events, input.now);
    features.set(
      userId,
      featuresOfSorted(userId, events.slice(0, end), itemsById, input.now, attributesById.get(userId)),
    );
  }
  return features;
}

/** The three trained models as ONNX graphs, each carrying its metadata. */
function exportArtifacts(
  segments: SegmentModelMetadata,
  anomaly: { forest: IsolationForestModel; metadata: AnomalyModelMetadata },
  churn: { model: ChurnModel; metadata: ChurnModelMetadata },
): ProfileTrainingResult['artifacts'] {
  return {
    segments: {
      name: PROFILE_MODEL_NAMES.segments,
      onnx: buildSegmentGraph({
        mean: segments.mean,
        scale: segments.scale,
        centroids: segments.centroids,
        metadata: embedMetadata(segments),
      }),
      metadata: segments,
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
  };
}

/**
 * The live segment model's centroids in this run's standardised units: back to raw feature units by
 * the live version's standardiser, then standardised by this run's; a column the live version lacks
 * (a genre new to the top genres) starts at this run's mean.
 */
function liveCentroidsIn(
  previous: SegmentModelMetadata,
  columns: readonly string[],
  standardiser: Standardiser,
): number[][] {
  return previous.centroids.map((z) =>
    columns.map((column, j) => {
      const k = previous.columns.indexOf(column);
      if (k < 0) return 0;
      const raw = z[k] * previous.scale[k] + previous.mean[k];
      return (raw - standardiser.mean[j]) / standardiser.scale[j];
    }),
  );
}

/**
 * k-means segments (k by silhouette) over the profiles' segment vectors, with labels and summaries;
 * ids carried on from the `previous` version's nearest segments.
 */
export function trainSegments(
  profiles: ProfileFeatures[],
  c: ProfileTrainingConfig,
  now: number,
  previous?: SegmentModelMetadata,
) {
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
  const choice = chooseK(rows, c.kMin, c.kMax, {
    seed: c.seed,
    silhouetteSample: c.silhouetteSample,
    // The live version's segments stay (its k, warm-started from its centroids) unless another k
    // separates users clearly better.
    keepK: previous?.centroids.length,
    keepStart: previous ? liveCentroidsIn(previous, columns, standardiser) : undefined,
    switchGain: c.kSwitchGain,
  });
  const sizes = new Array<number>(choice.k).fill(0);
  for (const row of rows) sizes[nearestCentroid(row, choice.model.centroids).index]++;
  const rawCentroids = choice.model.centroids.map((z) =>
    z.map((v, j) => v * standardiser.scale[j] + standardiser.mean[j]),
  );
  const metadata: SegmentModelMetadata = carrySegmentIds(
    {
      name: PROFILE_MODEL_NAMES.segments,
      columns,
      genres,
      mean: standardiser.mean,
      scale: standardiser.scale,
      centroids: choice.model.centroids,
      segments: describeSegments(columns, choice.model.centroids, rawCentroids, sizes),
      asOf: now,
    },
    previous,
  );
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
