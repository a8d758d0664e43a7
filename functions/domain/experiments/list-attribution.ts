/**
 * The read path's side of experiments and attribution: which model an experiment gives a user on a
 * surface, and the stamp every list answer carries (its signed recommendationId, the variant, each
 * item's position). Nothing is written: the id itself says what the list was.
 */
import { assignVariant, type Experiment, type ExperimentSurface, statusOf } from './experiment.ts';
import { type RecommendationIdKey, type Surface, signRecommendationId } from './recommendation-id.ts';

/** The experiments running now, as one serving container sees them (cached; see EXPERIMENTS_REFRESH_MS). */
export interface RunningExperiments {
  all(): Promise<Experiment[]>;
}

/** Re-reads the experiments at most once per `ttlMs`; concurrent requests share one read. */
export class CachedExperiments implements RunningExperiments {
  private cached?: { experiments: Experiment[]; readAtMs: number };
  private loading?: Promise<Experiment[]>;

  constructor(
    private readonly read: () => Promise<Experiment[]>,
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  all(): Promise<Experiment[]> {
    if (this.cached && this.clock() - this.cached.readAtMs < this.ttlMs)
      return Promise.resolve(this.cached.experiments);
    this.loading ??= this.read()
      .then((experiments) => {
        this.cached = { experiments, readAtMs: this.clock() };
        return experiments;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}

/** Who decided a list's model: an experiment's variant, the caller (`?model=`), or the default. */
export interface ModelChoice {
  model?: string;
  experiment?: { experimentId: string; variant: string };
  explicitModel: boolean;
}

/** What every list answer gains. */
export interface ListStamp {
  recommendationId: string;
  experimentId?: string;
  variant?: string;
}

export class ListAttribution {
  constructor(
    private readonly experiments: RunningExperiments,
    private readonly key: RecommendationIdKey,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The model for a user's list on `surface`: the caller's, else their variant's, else the default. */
  async choose(surface: ExperimentSurface, userId: string, requested?: string): Promise<ModelChoice> {
    if (requested) return { model: requested, explicitModel: true };
    const now = this.clock();
    const running = (await this.experiments.all()).find(
      (e) => e.surface === surface && statusOf(e, now) === 'running',
    );
    if (!running) return { explicitModel: false };
    const variant = assignVariant(running, userId);
    return {
      model: variant.model,
      experiment: { experimentId: running.experimentId, variant: variant.name },
      explicitModel: false,
    };
  }

  /** The answer with its signed id and each item's 1-based position. */
  async stamp<A extends { model: string; version: string; items: object[] }>(
    answer: A,
    list: { surface: Surface; userId?: string; choice?: ModelChoice },
  ): Promise<Omit<A, 'items'> & ListStamp & { items: (A['items'][number] & { position: number })[] }> {
    const experiment = list.choice?.experiment;
    const recommendationId = signRecommendationId(
      {
        surface: list.surface,
        userId: list.userId ?? '',
        model: answer.model,
        version: answer.version,
        issuedAt: this.clock(),
        length: answer.items.length,
        ...(experiment ?? {}),
        ...(list.choice?.explicitModel ? { explicitModel: true } : {}),
      },
      await this.key.current(),
    );
    return {
      ...answer,
      recommendationId,
      ...(experiment ?? {}),
      items: answer.items.map((item, index) => ({ ...item, position: index + 1 })),
    };
  }
}
