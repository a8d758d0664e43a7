/**
 * Scoring profiles with the three models, and assembling the profile users are answered with.
 * Two scorers share one interface: the ONNX one (served) and the TypeScript reference (tests, parity).
 */
import { feed, loadSession, type ModelSession } from '#domain/onnx/session.ts';
import type { ProfileFeatures } from './features.ts';
import type { ShillingAnswer } from './ports.ts';
import { isolationScore } from './isolation-forest.ts';
import { nearestCentroid, standardise } from './kmeans.ts';
import { predictChurn } from './churn-training.ts';
import type {
  AnomalyModelMetadata,
  ChurnModelMetadata,
  ProfileArtifact,
  SegmentModelMetadata,
} from './model-artifacts.ts';
import type { ProfileReferenceModels } from './train.ts';
import { anomalyVector, churnVector, segmentVector } from './vectors.ts';

export interface ModelAnswers {
  /** Index into the segment model's `segments`. */
  segmentIndex: number;
  /** Isolation-forest score, 0..1. */
  anomalyScore: number;
  /** Probability of no activity in the churn horizon, 0..1. */
  churnProbability: number;
}

export interface ProfileScorer {
  readonly segments: SegmentModelMetadata;
  readonly anomaly: AnomalyModelMetadata;
  readonly churn: ChurnModelMetadata;
  /** Scores a batch of profiles (one answer per profile, same order). */
  score(profiles: readonly ProfileFeatures[]): Promise<ModelAnswers[]>;
  release(): Promise<void>;
}

/** The TypeScript reference scorer over trained in-memory models. */
export function createReferenceScorer(reference: ProfileReferenceModels): ProfileScorer {
  const { segments } = reference;
  return {
    segments,
    anomaly: reference.anomaly.metadata,
    churn: reference.churn.metadata,
    score: async (profiles) =>
      profiles.map((f) => ({
        segmentIndex: nearestCentroid(
          standardise(segmentVector(f, segments.genres), { mean: segments.mean, scale: segments.scale }),
          segments.centroids,
        ).index,
        anomalyScore: isolationScore(reference.anomaly.forest, anomalyVector(f)),
        churnProbability: predictChurn(reference.churn.model, churnVector(f)),
      })),
    release: async () => {},
  };
}

export interface ProfileArtifacts {
  segments: ProfileArtifact<SegmentModelMetadata>;
  anomaly: ProfileArtifact<AnomalyModelMetadata>;
  churn: ProfileArtifact<ChurnModelMetadata>;
}

/** Loads the three ONNX models into onnxruntime sessions; `score` runs them as one batch each. */
export async function createOnnxScorer(artifacts: ProfileArtifacts): Promise<ProfileScorer> {
  const [segmentSession, anomalySession, churnSession] = await Promise.all([
    loadSession(artifacts.segments.onnx),
    loadSession(artifacts.anomaly.onnx),
    loadSession(artifacts.churn.onnx),
  ]);
  const segments = artifacts.segments.metadata;
  return {
    segments,
    anomaly: artifacts.anomaly.metadata,
    churn: artifacts.churn.metadata,
    async score(profiles) {
      if (profiles.length === 0) return [];
      const [segment, anomaly, churn] = await Promise.all([
        runMatrix(
          segmentSession,
          profiles.map((f) => segmentVector(f, segments.genres)),
        ),
        runMatrix(anomalySession, profiles.map(anomalyVector)),
        runMatrix(churnSession, profiles.map(churnVector)),
      ]);
      const segmentIds = segment.segment.data as BigInt64Array;
      const scores = anomaly.score.data as Float32Array;
      const probabilities = churn.churn_probability.data as Float32Array;
      return profiles.map((_, i) => ({
        segmentIndex: Number(segmentIds[i]),
        anomalyScore: scores[i],
        churnProbability: probabilities[i],
      }));
    },
    async release() {
      await Promise.all([segmentSession.release(), anomalySession.release(), churnSession.release()]);
    },
  };
}

function runMatrix(session: ModelSession, rows: number[][]) {
  const width = rows[0].length;
  const data = new Float32Array(rows.length * width);
  rows.forEach((row, i) => {
    data.set(row, i * width);
  });
  return session.run({ features: feed.float32(data, [rows.length, width]) });
}

export type Confidence = 'normal' | 'low';

export interface AudienceProfile {
  userId: string;
  /** ISO time the profile was computed for. */
  asOf: string;
  activity: ProfileFeatures['activity'];
  interests: ProfileFeatures['interests'];
  rhythm: ProfileFeatures['rhythm'];
  spend: ProfileFeatures['spend'];
  attributes?: ProfileFeatures['attributes'];
  /** Model answers; null until the first profile models are trained. */
  segment: { segmentId: string; label: string; confidence: Confidence } | null;
  anomaly: { score: number; flagged: boolean; threshold: number; confidence: Confidence } | null;
  churn: { probability: number; horizonDays: number; confidence: Confidence } | null;
  /** Why model answers are low-confidence or missing (e.g. too little history); empty when confident. */
  lowConfidenceReasons: string[];
  modelVersions: { segments: string; anomaly: string; churn: string } | null;
  /** The shilling detector's answer from the last retrain; null before a shilling model is live. */
  shilling: ShillingAnswer | null;
}

export interface AssembleOptions {
  /** Fewer events than this makes every model answer low-confidence (default 5). */
  minEvents?: number;
  /** Fewer active days than this makes churn low-confidence (default 2). */
  minActiveDays?: number;
  versions?: { segments: string; anomaly: string; churn: string };
  /** Reasons the features themselves are less certain (e.g. a read bound reached), listed first. */
  reasons?: string[];
  shilling?: ShillingAnswer;
}

/**
 * The profile served by GET /users/{userId}/profile: features plus model answers with confidence.
 * Without models (`scored` undefined) the model answers are null and the reason says so.
 */
export function assembleProfile(
  features: ProfileFeatures,
  scored:
    | { answers: ModelAnswers; scorer: Pick<ProfileScorer, 'segments' | 'anomaly' | 'churn'> }
    | undefined,
  options: AssembleOptions = {},
): AudienceProfile {
  const reasons: string[] = [...(options.reasons ?? [])];
  const minEvents = options.minEvents ?? 5;
  const minActiveDays = options.minActiveDays ?? 2;
  const thinHistory = features.activity.totalEvents < minEvents;
  if (thinHistory) {
    reasons.push(
      `only ${features.activity.totalEvents} events (models are trained on users with ${minEvents}+)`,
    );
  }
  const fewDays = features.activity.activeDays < minActiveDays;
  if (fewDays) reasons.push(`only ${features.activity.activeDays} active day(s)`);
  if (!scored) reasons.push('no profile models have been trained yet');
  const confidence: Confidence = thinHistory ? 'low' : 'normal';
  const round = (v: number): number => Math.round(v * 10_000) / 10_000;
  const base = {
    userId: features.userId,
    asOf: new Date(features.asOf).toISOString(),
    activity: features.activity,
    interests: features.interests,
    rhythm: {
      ...features.rhythm,
      hourShares: features.rhythm.hourShares.map(round),
      dayShares: features.rhythm.dayShares.map(round),
      lateNightShare: round(features.rhythm.lateNightShare),
      weekendShare: round(features.rhythm.weekendShare),
    },
    spend: features.spend,
    ...(features.attributes ? { attributes: features.attributes } : {}),
    lowConfidenceReasons: reasons,
    shilling: options.shilling ?? null,
  };
  if (!scored) return { ...base, segment: null, anomaly: null, churn: null, modelVersions: null };
  const { answers, scorer } = scored;
  const segment = scorer.segments.segments[answers.segmentIndex];
  return {
    ...base,
    segment: { segmentId: segment.segmentId, label: segment.label, confidence },
    anomaly: {
      score: round(answers.anomalyScore),
      flagged: answers.anomalyScore >= scorer.anomaly.threshold,
      threshold: round(scorer.anomaly.threshold),
      confidence,
    },
    churn: {
      probability: round(answers.churnProbability),
      horizonDays: scorer.churn.horizonDays,
      confidence: thinHistory || fewDays ? 'low' : 'normal',
    },
    modelVersions: options.versions ?? null,
  };
}
