/**
 * The audience-profile service behind the HTTP routes: profiles recomputed from the user's events on
 * read (never stale), segments and anomalies from the live models and the profiles table.
 */
import type { ItemStore } from '#domain/catalog/ports.ts';
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import { NotFoundError } from '#domain/errors.ts';
import type {
  ProfileEventReader,
  ProfileModelRegistry,
  ProfileStore,
  ProfileSubjectReader,
  StoredProfileSummary,
} from './ports.ts';
import {
  completeVersions,
  liveProfileVersions,
  loadLiveScorer,
  type ProfileModelVersions,
} from './live-scorer.ts';
import { PROFILE_MODEL_NAMES, type ShillingModelMetadata } from './model-artifacts.ts';
import { featuresFromHistory, type ProfileHistory, RECENT_WINDOW_MS } from './profile-history.ts';
import { type AudienceProfile, assembleProfile, type ProfileScorer } from './scoring.ts';
import type { SegmentSummary } from './segment-labels.ts';
import { sameVersions, summaryChanged } from './stored-rows.ts';

export interface ProfileServiceOptions {
  /**
   * Most events one profile read fetches (default 2,000): the events since the user's stored history
   * and those of the 28-day recent window. 2,000 is above the densest 28 days of any real user in the
   * data we measure with (1,669 ratings in MovieLens ml-latest-small, 628 events in the demo data).
   */
  maxEvents?: number;
  /** How often the live model pointers are re-read, ms (default 30 s). */
  modelRefreshMs?: number;
  /** How long item metadata (genres, tags, duration) is reused before re-reading, ms (default 60 s). */
  itemCacheMs?: number;
  minEvents?: number;
  now?: () => number;
}

const MAX_CACHED_ITEMS = 100_000;
export const DEFAULT_MAX_PROFILE_EVENTS = 2_000;

interface LiveModels {
  scorer: ProfileScorer;
  versions: ProfileModelVersions;
}

interface LiveShilling {
  version: string;
  metadata: ShillingModelMetadata;
}

export class ProfileService {
  private live: LiveModels | undefined;
  private liveShilling: LiveShilling | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<LiveModels | undefined> | undefined;
  /** Item metadata changes rarely and every profile read needs it: keep it briefly per process. */
  private readonly itemCache = new Map<string, { item: Item | undefined; at: number }>();

  constructor(
    private readonly stores: {
      events: ProfileEventReader;
      items: ItemStore;
      profiles: ProfileStore;
      /** The user's attributes, stored summary and history, read together. */
      subjects: ProfileSubjectReader;
    },
    private readonly registry: ProfileModelRegistry,
    private readonly options: ProfileServiceOptions = {},
  ) {}

  /** The profile of one user, computed now; unknown or erased users are NotFoundError. */
  async getProfile(userId: string): Promise<AudienceProfile> {
    const asOf = (this.options.now ?? Date.now)() + 1;
    const max = this.options.maxEvents ?? DEFAULT_MAX_PROFILE_EVENTS;
    const windowStart = asOf - RECENT_WINDOW_MS;
    // The recent window, the user's rows (one batch read) and the models in parallel.
    const [recent, { attributes, stored, history }, live] = await Promise.all([
      this.stores.events.between(userId, { from: windowStart, to: asOf }, max),
      this.stores.subjects.read(userId),
      this.liveModels(),
    ]);
    const events = recent.concat(
      await this.eventsBeforeWindow(userId, history, windowStart, max - recent.length),
    );
    if (events.length === 0 && !attributes && !history) throw new NotFoundError('user', userId);
    const topItemIds = Object.keys(history?.interests.topItems ?? {});
    const items = await this.itemsById(new Set([...events.map((e) => e.itemId), ...topItemIds]));
    const features = featuresFromHistory(userId, history, events, items, asOf, attributes);
    const options = {
      minEvents: this.options.minEvents,
      shilling: stored?.shilling,
      // At the bound, older events the history does not hold may be missing: say so.
      reasons:
        events.length >= max
          ? [`read the newest ${max} events only; older events since the last history are not counted`]
          : [],
    };
    if (!live) return assembleProfile(features, undefined, options);
    const [answers] = await live.scorer.score([features]);
    const profile = assembleProfile(
      features,
      { answers, scorer: live.scorer },
      { ...options, versions: live.versions },
    );
    // Keep the segment and anomaly indexes current with what this read computed.
    const summary = toSummary(profile, live.versions);
    if (summary && summaryChanged(stored, summary, { versionsMatter: true }))
      await this.stores.profiles.put(summary);
    return profile;
  }

  /** Segments of the live segment model (empty before the first training). */
  async listSegments(): Promise<{ segments: SegmentSummary[]; modelVersion: string | null }> {
    const live = await this.liveModels();
    return { segments: live?.scorer.segments.segments ?? [], modelVersion: live?.versions.segments ?? null };
  }

  /** One segment's users, a page at a time; an unknown segment is NotFoundError. */
  async listSegmentUsers(segmentId: string, page: { limit: number; cursor?: string }) {
    const live = await this.liveModels();
    const segment = live?.scorer.segments.segments.find((s) => s.segmentId === segmentId);
    if (!segment) throw new NotFoundError('segment', segmentId);
    const result = await this.stores.profiles.listBySegment(segmentId, page);
    return { segment, users: result.items, ...(result.cursor ? { cursor: result.cursor } : {}) };
  }

  /**
   * Users with anomaly score >= minScore, most anomalous first, and what the live shilling model
   * found: the items pushed mostly by suspicious accounts (at most `itemLimit`, with the reason) and
   * the flagged accounts (at most `limit`, most suspicious first).
   */
  async listAnomalies(query: { minScore: number; limit: number; itemLimit: number }) {
    const live = await this.liveModels();
    const users = await this.stores.profiles.listMostAnomalous(query);
    const shilling = this.liveShilling;
    return {
      threshold: live?.scorer.anomaly.threshold ?? null,
      modelVersion: live?.versions.anomaly ?? null,
      users,
      shilling: {
        modelVersion: shilling?.version ?? null,
        pushedItems: shilling?.metadata.pushedItems.slice(0, query.itemLimit) ?? [],
        flaggedUsers: shilling?.metadata.flaggedUsers.slice(0, query.limit) ?? [],
      },
    };
  }

  private async itemsById(itemIds: Set<string>): Promise<Map<string, Item>> {
    const now = Date.now();
    const ttl = this.options.itemCacheMs ?? 60_000;
    const out = new Map<string, Item>();
    const missing: string[] = [];
    for (const id of itemIds) {
      const cached = this.itemCache.get(id);
      if (cached && now - cached.at < ttl) {
        if (cached.item) out.set(id, cached.item);
      } else missing.push(id);
    }
    if (missing.length > 0) {
      const fetched = await this.stores.items.getMany(missing);
      if (this.itemCache.size + missing.length > MAX_CACHED_ITEMS) this.itemCache.clear();
      for (const id of missing) {
        const item = fetched.get(id);
        this.itemCache.set(id, { item, at: now });
        if (item) out.set(id, item);
      }
    }
    return out;
  }

  /**
   * Events between the history's cut and the recent window, when the history is older than the window
   * or absent (before the first retrain, or a user new since it): at most `budget` of them.
   */
  private async eventsBeforeWindow(
    userId: string,
    history: ProfileHistory | undefined,
    windowStart: number,
    budget: number,
  ): Promise<InteractionEvent[]> {
    const from = history?.cut ?? 0;
    if (from >= windowStart || budget <= 0) return [];
    return this.stores.events.between(userId, { from, to: windowStart }, budget);
  }

  /** Live models, re-checking the registry's pointers at most every `modelRefreshMs`. */
  private async liveModels(): Promise<LiveModels | undefined> {
    const now = Date.now();
    if (now - this.checkedAt < (this.options.modelRefreshMs ?? 30_000)) return this.live;
    this.loading ??= this.refresh().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async refresh(): Promise<LiveModels | undefined> {
    const live = await liveProfileVersions(this.registry);
    this.checkedAt = Date.now();
    await this.refreshShilling(live.shilling);
    const versions = completeVersions(live);
    if (!versions) return this.live;
    if (this.live && sameVersions(this.live.versions, versions)) return this.live;
    const scorer = await loadLiveScorer(this.registry, versions);
    const previous = this.live;
    this.live = { scorer, versions };
    await previous?.scorer.release();
    return this.live;
  }

  /** Loads the live shilling model's findings when its version changed. */
  private async refreshShilling(version: string | undefined): Promise<void> {
    if (!version || this.liveShilling?.version === version) return;
    const { artifact } = await this.registry.load<ShillingModelMetadata>(
      PROFILE_MODEL_NAMES.shilling,
      version,
    );
    this.liveShilling = { version, metadata: artifact.metadata };
  }
}

/** The stored summary of a scored profile. */
export function toSummary(
  profile: AudienceProfile,
  versions: ProfileModelVersions,
): StoredProfileSummary | undefined {
  if (!profile.segment || !profile.anomaly || !profile.churn) return undefined;
  return {
    userId: profile.userId,
    segmentId: profile.segment.segmentId,
    segmentLabel: profile.segment.label,
    anomalyScore: profile.anomaly.score,
    flagged: profile.anomaly.flagged,
    churnProbability: profile.churn.probability,
    lowConfidence: profile.segment.confidence === 'low',
    ...(profile.shilling ? { shilling: profile.shilling } : {}),
    scoredAt: profile.asOf,
    modelVersions: versions,
  };
}
