/**
 * What a trained profile model is: its registry name, the JSON metadata serving needs (columns,
 * thresholds, segment summaries) and the ONNX bytes that carry that metadata inside them.
 */
import { readModelMetadata } from '#domain/onnx/graph.ts';
import type { SegmentSummary } from './segment-labels.ts';
import type { PushedItem, ShillingDetectorOptions } from './shilling/detector.ts';

export const PROFILE_MODEL_NAMES = {
  segments: 'profile-segments',
  anomaly: 'profile-anomaly',
  churn: 'profile-churn',
  shilling: 'profile-shilling',
} as const;

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

/** A flagged account as the shilling model keeps it. */
export interface FlaggedShillingUser {
  userId: string;
  score: number;
  pushedItemId: string;
  reason: string;
}

/**
 * The shilling detector of one run: its settings, what it found (the per-item view and the flagged
 * accounts, which recommendations discount) and how it did on an attack planted in the same data.
 */
export interface ShillingModelMetadata {
  name: typeof PROFILE_MODEL_NAMES.shilling;
  /** Evidence columns the graph reads (see buildShillingGraph). */
  columns: string[];
  settings: ShillingDetectorOptions;
  pushedItems: PushedItem[];
  flaggedUsers: FlaggedShillingUser[];
  /** Users with a rating profile the run looked at. */
  users: number;
  asOf: number;
}

export type ProfileModelMetadata =
  | SegmentModelMetadata
  | AnomalyModelMetadata
  | ChurnModelMetadata
  | ShillingModelMetadata;

export interface ProfileArtifact<M extends ProfileModelMetadata = ProfileModelMetadata> {
  name: M['name'];
  onnx: Uint8Array;
  metadata: M;
}

/** ONNX metadata key holding a profile model's JSON metadata, so one .onnx file is the whole artifact. */
export const PROFILE_METADATA_KEY = 'marquee.profile-model';

/** The ONNX metadata entry carrying `metadata` (see PROFILE_METADATA_KEY). */
export function embedMetadata(metadata: ProfileModelMetadata): Record<string, string> {
  return { [PROFILE_METADATA_KEY]: JSON.stringify(metadata) };
}

/** The JSON metadata embedded in a profile model's ONNX bytes (see PROFILE_METADATA_KEY). */
export function metadataFromOnnx<M extends ProfileModelMetadata>(bytes: Uint8Array): M {
  const json = readModelMetadata(bytes)[PROFILE_METADATA_KEY];
  if (!json) throw new RangeError(`the ONNX model carries no '${PROFILE_METADATA_KEY}' metadata`);
  return JSON.parse(json) as M;
}

/**
 * What a retrain carries on from the live versions: the segment model (its ids, k and centroids)
 * and the churn model (its algorithm), each absent before one is live.
 */
export interface LiveProfileModels {
  segments?: SegmentModelMetadata;
  churn?: ChurnModelMetadata;
}
