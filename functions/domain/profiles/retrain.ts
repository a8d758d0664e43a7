/**
 * The profile part of the retrain job: read everything, train the three models, gate them against the
 * live versions, publish (promoting those that pass), then score every user into the profiles table.
 */
import type { EventStore, ItemStore, UserStore } from '#domain/catalog/ports.ts';
import type { InteractionEvent, Item, UserAttributes } from '#domain/catalog/types.ts';
import type { ProfileModelRegistry, ProfileStore, PublishedProfileModel } from './ports.ts';
import { completeVersions, liveProfileVersions, loadLiveScorer } from './live-scorer.ts';
import { assembleProfile } from './scoring.ts';
import { toSummary } from './service.ts';
import { type ProfileTrainingConfig, trainProfileModels } from './train.ts';

export interface ProfileRetrainResult {
  /** What each model's publish did (version and the shared gate's decision). */
  published: {
    segments: PublishedProfileModel;
    anomaly: PublishedProfileModel;
    churn: PublishedProfileModel;
  };
  live: { segments?: string; anomaly?: string; churn?: string };
  metrics: ReturnType<typeof trainProfileModels>['metrics'];
  scoredUsers: number;
  trainMs: number;
}

/** Retrains, gates, publishes and re-scores; `now` is the instant the training data ends at (epoch ms). */
export async function retrainProfiles(
  stores: { events: EventStore; items: ItemStore; users: UserStore; profiles: ProfileStore },
  registry: ProfileModelRegistry,
  options: { now: number; config?: Partial<ProfileTrainingConfig> },
): Promise<ProfileRetrainResult> {
  const [events, items, users] = await Promise.all([
    collect<InteractionEvent>(stores.events.scan()),
    collect<Item>(stores.items.scan()),
    collect<UserAttributes>(stores.users.scan()),
  ]);
  const started = performance.now();
  const trained = trainProfileModels({ events, items, users, now: options.now }, options.config);
  const trainMs = performance.now() - started;
  const { segments, anomaly, churn } = trained.metrics;
  const figures = (metrics: Record<string, number>) => ({ metrics, trainMs, dataCutoff: options.now });
  // Sequential: each publish reads and moves one model's live pointer.
  const published = {
    segments: await registry.publish(
      trained.artifacts.segments,
      figures({
        silhouette: segments.silhouette,
        k: segments.k,
        inertia: segments.inertia,
        users: segments.trainedUsers,
      }),
    ),
    anomaly: await registry.publish(
      trained.artifacts.anomaly,
      figures({
        separation: anomaly.separation,
        threshold: anomaly.threshold,
        flaggedShare: anomaly.flaggedShare,
        users: anomaly.trainedUsers,
      }),
    ),
    churn: await registry.publish(
      trained.artifacts.churn,
      figures({
        // No AUC (one class in the held-out window) is left out; the gate then rejects the candidate.
        ...(churn.auc === undefined ? {} : { auc: churn.auc }),
        trainRows: churn.trainRows,
        testRows: churn.testRows,
        churnRate: churn.testChurnRate,
      }),
    ),
  };

  const live = await liveProfileVersions(registry);
  const liveVersions = completeVersions(live);
  let scoredUsers = 0;
  if (liveVersions) {
    const scorer = await loadLiveScorer(registry, liveVersions);
    try {
      const profiles = [...trained.features.values()];
      for (let i = 0; i < profiles.length; i += 5000) {
        const batch = profiles.slice(i, i + 5000);
        const answers = await scorer.score(batch);
        const summaries = batch
          .map((f, j) =>
            toSummary(
              assembleProfile(f, { answers: answers[j], scorer }, { versions: liveVersions }),
              liveVersions,
            ),
          )
          .filter((x) => x !== undefined);
        await stores.profiles.putAll(summaries);
        scoredUsers += summaries.length;
      }
    } finally {
      await scorer.release();
    }
  }
  return { published, live, metrics: trained.metrics, scoredUsers, trainMs };
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) for (const row of page) out.push(row);
  return out;
}
