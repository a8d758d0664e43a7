/**
 * The live profile models as one scorer: the profile service (on read) and the profile retrain (to
 * re-score every user) both read the three live pointers and load those versions the same way.
 */
import type { ProfileModelRegistry } from './ports.ts';
import { createOnnxScorer, type ProfileScorer } from './scoring.ts';
import {
  type AnomalyModelMetadata,
  type ChurnModelMetadata,
  type LiveProfileModels,
  PROFILE_MODEL_NAMES,
  type SegmentModelMetadata,
} from './model-artifacts.ts';

/** The version of each of the three profile models a scorer answers with. */
export interface ProfileModelVersions {
  segments: string;
  anomaly: string;
  churn: string;
}

/** The live version of each profile model, undefined where none is live yet. */
export async function liveProfileVersions(
  registry: ProfileModelRegistry,
): Promise<{ segments?: string; anomaly?: string; churn?: string; shilling?: string }> {
  const pointers = await registry.liveVersions();
  return {
    segments: pointers[PROFILE_MODEL_NAMES.segments],
    anomaly: pointers[PROFILE_MODEL_NAMES.anomaly],
    churn: pointers[PROFILE_MODEL_NAMES.churn],
    shilling: pointers[PROFILE_MODEL_NAMES.shilling],
  };
}

/** The three versions when every model has one, else undefined (nothing can be scored yet). */
export function completeVersions(live: Partial<ProfileModelVersions>): ProfileModelVersions | undefined {
  const { segments, anomaly, churn } = live;
  return segments && anomaly && churn ? { segments, anomaly, churn } : undefined;
}

/** Loads the three artifacts at `versions` into one ONNX scorer; the caller releases it. */
export async function loadLiveScorer(
  registry: ProfileModelRegistry,
  versions: ProfileModelVersions,
): Promise<ProfileScorer> {
  const [segments, anomaly, churn] = await Promise.all([
    registry.load<SegmentModelMetadata>(PROFILE_MODEL_NAMES.segments, versions.segments),
    registry.load<AnomalyModelMetadata>(PROFILE_MODEL_NAMES.anomaly, versions.anomaly),
    registry.load<ChurnModelMetadata>(PROFILE_MODEL_NAMES.churn, versions.churn),
  ]);
  return createOnnxScorer({ segments: segments.artifact, anomaly: anomaly.artifact, churn: churn.artifact });
}

/** The live segment and churn models' metadata, for the next retrain to carry on from. */
export async function liveProfileModels(registry: ProfileModelRegistry): Promise<LiveProfileModels> {
  const versions = await liveProfileVersions(registry);
  const [segments, churn] = await Promise.all([
    versions.segments
      ? registry.load<SegmentModelMetadata>(PROFILE_MODEL_NAMES.segments, versions.segments)
      : undefined,
    versions.churn ? registry.load<ChurnModelMetadata>(PROFILE_MODEL_NAMES.churn, versions.churn) : undefined,
  ]);
  return { segments: segments?.artifact.metadata, churn: churn?.artifact.metadata };
}
