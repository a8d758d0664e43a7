/** Storage ports of audience profiles. Adapters (functions/adapters/profiles) implement them. */
import type { Page } from '#domain/catalog/ports.ts';
import type { InteractionEvent, UserAttributes } from '#domain/catalog/types.ts';
import type { ProfileArtifact, ProfileModelMetadata } from './model-artifacts.ts';
import type { ProfileHistory } from './profile-history.ts';
import type { HistoryStamp } from './stored-rows.ts';

/** The shilling detector's answer for one user, from the live shilling model. */
export interface ShillingAnswer {
  flagged: boolean;
  /** 0..1 (absent when the live model is not this run's and the user is not flagged in it). */
  score?: number;
  /** Flagged users: why, and the item they helped push. */
  reason?: string;
  pushedItemId?: string;
  modelVersion: string;
}

/** The model answers kept per user in the profiles table (segment and anomaly indexes read them). */
export interface StoredProfileSummary {
  userId: string;
  segmentId?: string;
  segmentLabel?: string;
  anomalyScore?: number;
  flagged?: boolean;
  churnProbability?: number;
  lowConfidence: boolean;
  /** Set by the profile retrain once a shilling model is live; profile reads carry it on. */
  shilling?: ShillingAnswer;
  /** ISO time the answers were computed. */
  scoredAt: string;
  modelVersions: { segments: string; anomaly: string; churn: string };
}

export interface ProfileStore {
  get(userId: string): Promise<StoredProfileSummary | undefined>;
  /** The stored summaries of these users (absent: none, or the user was erased). */
  getAll(userIds: readonly string[]): Promise<Map<string, StoredProfileSummary>>;
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

/** The per-user rows a profile read needs besides the events. */
export interface ProfileSubject {
  /** The user's attributes row; absent for unknown or erased users (and users known only by events). */
  attributes: UserAttributes | undefined;
  /** The summary last stored for the user's segment and anomaly indexes. */
  stored: StoredProfileSummary | undefined;
  /** The tally of the user's events before the last retrain's cut; absent before it or once expired. */
  history: ProfileHistory | undefined;
}

export interface ProfileSubjectReader {
  /** The attributes, stored summary and history of one user, read together (one round trip where the store allows). */
  read(userId: string): Promise<ProfileSubject>;
}

/** The events a profile read fetches: a time range of one user's, bounded in number. */
export interface ProfileEventReader {
  /** The user's newest `max` events with `from` <= timestamp < `to` (epoch ms), newest first. */
  between(userId: string, range: { from: number; to: number }, max: number): Promise<InteractionEvent[]>;
}

/** Where the profile retrain keeps each user's history (see profile-history.ts). */
export interface ProfileHistoryStore {
  /** What is stored of these users' histories (absent: none, expired, or the user was erased). */
  stampsOf(userIds: readonly string[]): Promise<Map<string, HistoryStamp>>;
  /** Stores (replaces) the histories, one per user, each to expire at historyExpiryOf(its cut). */
  putAll(histories: ProfileHistory[]): Promise<void>;
}

export type ProfileModelName = ProfileModelMetadata['name'];

export interface StoredProfileModel<M extends ProfileModelMetadata = ProfileModelMetadata> {
  name: M['name'];
  version: string;
  artifact: ProfileArtifact<M>;
}

/** What a publish did: the version recorded and whether the shared quality gate promoted it. */
export interface PublishedProfileModel {
  name: ProfileModelName;
  version: string;
  status: 'live' | 'rejected';
  reason: string;
}

/** Profile models in the shared model registry: every version kept, a LIVE pointer per name. */
export interface ProfileModelRegistry {
  /** Live version per model name (absent before the first promotion). */
  liveVersions(): Promise<Partial<Record<ProfileModelName, string>>>;
  load<M extends ProfileModelMetadata>(name: M['name'], version: string): Promise<StoredProfileModel<M>>;
  /** Records a new version with its figures; the registry's gate decides whether it goes live. */
  publish(
    artifact: ProfileArtifact,
    figures: { metrics: Record<string, number>; trainMs: number; dataCutoff: number },
  ): Promise<PublishedProfileModel>;
}
