/**
 * The recommendation service the HTTP handler calls: reads the user's latest events through the
 * catalog port, takes the live models from the registry cache, and answers each route.
 */
import type { EventStore, ItemStore } from '#domain/catalog/ports.ts';
import type { InteractionEvent } from '#domain/catalog/types.ts';
import {
  type ModelRecordStore,
  type ModelVersion,
  listModels,
  type RegistryListing,
  rollback,
} from '#domain/models/registry.ts';
import { ValidationError, NotFoundError } from '#domain/errors.ts';
import type { ListAttribution } from '#domain/experiments/list-attribution.ts';
import type { RetrainRefusal, RetrainRun, RetrainRunRecords } from '#domain/models/retrain-run.ts';
import { MODEL_NAMES, type ModelName } from './artifact.ts';
import type { EventWeights } from './interactions.ts';
import type { LiveModels } from './live-models.ts';
import type { PlayableCatalog } from './playable-catalog.ts';
import type { FallbackRanking } from './serving/fallback.ts';
import { rankItems } from './serving/rank.ts';
import { recommendForUser } from './serving/recommend.ts';
import type { ModelSource } from './serving/routing.ts';
import type { ItemFilters, RecommendationResponse } from './serving/scoring.ts';
import { similarItems } from './serving/similar.ts';
import { trendingItems } from './serving/trending.ts';

export interface RecommendationServiceOptions {
  /** Newest events of a user folded in per request. */
  historyEvents: number;
  eventWeights?: EventWeights;
  /** The items playable now; without it `playableOnly` uses the model's training-time snapshot. */
  playable?: PlayableCatalog;
  /** The profile models' registry (same table, own names), listed with ours on GET /models. */
  profiles?: { records: ModelRecordStore; names: readonly string[] };
  /** What answers before any model exists (serving/fallback.ts). */
  fallback: FallbackRanking;
  /** The retrain lease: the running or last run and the last refusal, shown on GET /models. */
  runs: RetrainRunRecords;
  /** Experiments' choice of model and the signed id every list answer carries. */
  attribution: ListAttribution;
}

/** GET /models: one registry view for admins, each model tagged with its family. */
export interface FamilyListing {
  defaultModel?: string;
  retrain: { lastRun?: RetrainRun; lastRefused?: RetrainRefusal };
  models: (RegistryListing['models'][number] & { family: 'recommendations' | 'profiles' })[];
}

export class RecommendationService {
  /** The live models and, when none can answer, the fallback: what every route answers from. */
  private readonly models: ModelSource;

  constructor(
    private readonly live: LiveModels,
    private readonly records: ModelRecordStore,
    private readonly events: EventStore,
    private readonly items: ItemStore,
    private readonly options: RecommendationServiceOptions,
  ) {
    this.models = { current: (needed) => live.current(needed), fallback: () => options.fallback.pool() };
  }

  /** The user's history (the store leaves impressions out: being shown an item is not having seen it). */
  private latestEvents(userId: string): Promise<InteractionEvent[]> {
    return this.events.latestByUser(userId, this.options.historyEvents);
  }

  /** Top-k for a user, reflecting events posted up to this request; the model is the caller's, else the experiment's. */
  async recommend(
    userId: string,
    query: ItemFilters & { k: number; model?: ModelName; excludeSeen: boolean },
  ) {
    const [events, playableIds, choice] = await Promise.all([
      this.latestEvents(userId),
      query.playableOnly ? this.options.playable?.playableIds() : undefined,
      this.options.attribution.choose('recommendations', userId, query.model),
    ]);
    const result: RecommendationResponse = await recommendForUser(this.models, events, {
      ...query,
      model: choice.model as ModelName | undefined,
      playableIds,
      eventWeights: this.options.eventWeights,
    });
    const stamped = await this.options.attribution.stamp(result, {
      surface: 'recommendations',
      userId,
      choice,
    });
    return { userId, ...stamped };
  }

  async rank(userId: string, itemIds: string[], model?: ModelName) {
    const [events, choice] = await Promise.all([
      this.latestEvents(userId),
      this.options.attribution.choose('rank', userId, model),
    ]);
    const ranked = await rankItems(this.models, events, itemIds, {
      model: choice.model as ModelName | undefined,
      eventWeights: this.options.eventWeights,
    });
    return { userId, ...(await this.options.attribution.stamp(ranked, { surface: 'rank', userId, choice })) };
  }

  async similar(itemId: string, query: { k: number; model?: ModelName }) {
    const similar = await similarItems(this.models, itemId, query, () => this.items.get(itemId));
    const choice = { model: query.model, explicitModel: query.model !== undefined };
    return { itemId, ...(await this.options.attribution.stamp(similar, { surface: 'similar', choice })) };
  }

  async trending(query: { k: number; window: string; genres?: string[] }) {
    const trending = await trendingItems(this.models, query);
    return {
      window: query.window,
      ...(await this.options.attribution.stamp(trending, { surface: 'trending' })),
    };
  }

  async listModels(): Promise<FamilyListing> {
    const profiles = this.options.profiles;
    const [ours, theirs, retrain] = await Promise.all([
      listModels(this.records),
      profiles ? listModels(profiles.records) : undefined,
      this.options.runs.latestRuns(),
    ]);
    return {
      defaultModel: ours.defaultModel,
      retrain,
      models: [
        ...ours.models.map((m) => ({ ...m, family: 'recommendations' as const })),
        ...(theirs?.models ?? []).map((m) => ({ ...m, family: 'profiles' as const })),
      ],
    };
  }

  /**
   * Makes the previous version live, and serves it from the next request on. Profile models are
   * refused: they are applied in batch by retrain (stored profiles keep the scores of the version
   * that computed them), so moving their pointer back would change nothing until the next retrain.
   */
  async rollback(name: string): Promise<ModelVersion> {
    if (this.options.profiles?.names.includes(name))
      throw new ValidationError(`profile model '${name}' cannot be rolled back`, [
        {
          field: 'path.name',
          message:
            'profile models are applied in batch by retrain; rolling the pointer back would not change stored profiles (retrain instead)',
        },
      ]);
    if (!(MODEL_NAMES as readonly string[]).includes(name)) throw new NotFoundError('model', name);
    const restored = await rollback(this.records, name);
    this.live.invalidate();
    return restored;
  }
}
