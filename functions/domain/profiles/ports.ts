/** Storage ports of audience profiles. Adapters (functions/adapters/profiles) implement them. */
import type { Page } from '#domain/catalog/ports.ts';
import type { ProfileArtifact, ProfileModelMetadata } from './train.ts';

/** The model answers kept per user in the profiles table (segment and anomaly indexes read them). */
export interface StoredProfileSummary {
  userId: string;
  segmentId?: string;
  segmentLabel?: string;
  anomalyScore?: number;
  flagged?: boolean;
  churnProbability?: number;
  lowConfidence: boolean;
  /** ISO time the answers were computed. */
  scoredAt: string;
  modelVersions: { segments: string; anomaly: string; churn: string };
}

export interface ProfileStore {
  get(userId: string): Promise<StoredProfileSummary | undefined>;
  put(summary: StoredProfileSummary): Promise<void>;
  putAll(summaries: StoredProfileSummary[]): Promise<void>;
  /** Users of one segment, by user id. */
  listBySegment(
    segmentId: string,
    options: { limit: number; cursor?: string },
  ): Promise<Page<StoredProfileSummary>>;
  /** Users with anomaly score >= minScore, most anomalous first. */
  listMostAnomalous(options: { minScore: number; limit: number }): Promise<StoredProfileSummary[]>;
}

export type ProfileModelName = ProfileModelMetadata['name'];

export interface StoredProfileModel<M extends ProfileModelMetadata = ProfileModelMetadata> {
  name: M['name'];
  version: string;
  artifact: ProfileArtifact<M>;
  metrics: Record<string, unknown>;
}

/** Versioned profile models: every trained version is kept; a LIVE pointer names the served one. */
export interface ProfileModelRegistry {
  /** Live version per model name (absent before the first promotion). */
  liveVersions(): Promise<Partial<Record<ProfileModelName, string>>>;
  /** Metrics of the live version, for the quality gate. */
  liveMetrics(name: ProfileModelName): Promise<Record<string, unknown> | undefined>;
  load<M extends ProfileModelMetadata>(name: M['name'], version: string): Promise<StoredProfileModel<M>>;
  /** Stores a new version; promotes it to LIVE when `promote`. Returns the version. */
  publish(
    artifact: ProfileArtifact,
    metrics: Record<string, unknown>,
    decision: { promote: boolean; reasons: string[] },
  ): Promise<string>;
}
