/**
 * The profile part of the retrain job: read everything, train the three models, gate them against the
 * live versions, publish (promoting those that pass), then score every user into the profiles table.
 */
import type { EventStore, ItemStore, UserStore } from '#domain/catalog/ports.ts';
import type { InteractionEvent, Item, UserAttributes } from '#domain/catalog/types.ts';
import { groupEventsByUser } from './features.ts';
import type {
  ProfileHistoryStore,
  ProfileModelRegistry,
  ProfileStore,
  PublishedProfileModel,
} from './ports.ts';
import { historiesAt, historyCutOf, type ProfileHistory } from './profile-history.ts';
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
  /** Users whose history was stored, and the cut (epoch ms) the histories end at. */
  histories: { users: number; cut: number };
  trainMs: number;
}

/** Rows written per batch call (summaries and histories), so a large audience is not held twice. */
const WRITE_BATCH = 5000;

/** Retrains, gates, publishes and re-scores; `now` is the instant the training data ends at (epoch ms). */
export async function retrainProfiles(
  stores: {
    events: EventStore;
    items: ItemStore;
    users: UserStore;
    profiles: ProfileStore;
    histories: ProfileHistoryStore;
  },
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
      for (let i = 0; i < profiles.length; i += WRITE_BATCH) {
        const batch = profiles.slice(i, i + WRITE_BATCH);
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
  const histories = await storeHistories(stores.histories, events, items, historyCutOf(options.now));
  return { published, live, metrics: trained.metrics, scoredUsers, histories, trainMs };
}

/** Folds every user's events before `cut` into their history and stores them; returns how many. */
async function storeHistories(
  store: ProfileHistoryStore,
  events: readonly InteractionEvent[],
  items: readonly Item[],
  cut: number,
): Promise<{ users: number; cut: number }> {
  const itemsById = new Map(items.map((item) => [item.itemId, item]));
  let batch: ProfileHistory[] = [];
  let users = 0;
  for (const history of historiesAt(groupEventsByUser(events), itemsById, cut)) {
    batch.push(history);
    if (batch.length === WRITE_BATCH) {
      await store.putAll(batch);
      users += batch.length;
      batch = [];
    }
  }
  await store.putAll(batch);
  return { users: users + batch.length, cut };
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) for (const row of page) out.push(row);
  return out;
}
