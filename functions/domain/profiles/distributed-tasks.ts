/**
 * The profile tasks of the distributed retrain (infra/constructs/retrain-state-machine.ts), over the
 * same run files as the recommendation tasks (`runs/<runId>/` through the artifact port):
 *
 *   Snapshot        -> `events/<s>.json` (every event of user shard s) and `profiles/plan.json`
 *   profileFeatures -> one user shard's features and its part of the training sample
 *   profilesReduce  -> segments, anomaly and churn trained on the sample, gated and published
 *   profileScores   -> one user shard's users scored with the live models, and their histories stored
 *
 * Scoring is a Map of its own rather than a step of the reduce: summaries and histories are written
 * per user, and a whole audience's writes would not fit one function's 15 minutes.
 */
import type { InteractionEvent, Item } from '#domain/catalog/types.ts';
import type { ArtifactStore } from '#domain/models/registry.ts';
import { NotEnoughDataError } from '#domain/models/retrain-run.ts';
import { onShard } from '#domain/recommendations/distributed-tasks.ts';
import { shardByUser } from '#domain/recommendations/sharded-training.ts';
import type { ProfileFeatures } from './features.ts';
import { liveProfileModels } from './live-scorer.ts';
import type { ProfileHistoryStore, ProfileModelRegistry, ProfileStore } from './ports.ts';
import { historyCutOf } from './profile-history.ts';
import { liveShillingAnswers, publishProfileModels, scoreProfiles, storeHistories } from './retrain.ts';
import {
  type ProfileSampling,
  type ProfileShardOutput,
  profileShardTask,
  reduceProfileShards,
  samplingFor,
} from './sharded-training.ts';
import { DEFAULT_PROFILE_TRAINING_CONFIG, type ProfileTrainingConfig } from './train.ts';

/** User shard s's raw events (every event the retrain read, before the holdout split). */
export const eventShardKey = (runId: string, shard: number) => `runs/${runId}/events/${shard}.json`;

const key = {
  plan: (runId: string) => `runs/${runId}/profiles/plan.json`,
  features: (runId: string, s: number) => `runs/${runId}/profiles/features-${s}.json`,
  sample: (runId: string, s: number) => `runs/${runId}/profiles/sample-${s}.json`,
};

/** Why the shilling detector keeps its live version on a distributed run. */
export const SHILLING_NOT_DISTRIBUTED_REASON =
  'not trained by the distributed retrain: its group evidence compares every account that rated an item, which needs every event in one function; the live version stays';

/** What the Snapshot decides once for the profile tasks of a run. */
export interface ProfileRunPlan {
  /** Epoch ms the features are computed at and the training data ends at. */
  now: number;
  userShards: number;
  sampling: ProfileSampling;
  items: Item[];
  config: Partial<ProfileTrainingConfig>;
}

/** The profile options of a run: the training sample's expected size (users) and the model config. */
export interface ProfileRunOptions {
  sampleUsers: number;
  config: Partial<ProfileTrainingConfig>;
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const parsed = async <T>(store: ArtifactStore, k: string): Promise<T> =>
  JSON.parse(new TextDecoder().decode(await store.get(k))) as T;
const readPlan = (store: ArtifactStore, runId: string) => parsed<ProfileRunPlan>(store, key.plan(runId));
const readEventShard = (store: ArtifactStore, runId: string, shard: number) =>
  parsed<InteractionEvent[]>(store, eventShardKey(runId, shard));

/** Writes every user shard's events, `userShardOf` deciding the shard, as the contract of the run's files says. */
export async function writeEventShards(
  store: ArtifactStore,
  runId: string,
  events: readonly InteractionEvent[],
  userShards: number,
): Promise<void> {
  const shards = userShards > 0 ? shardByUser(events, userShards) : [];
  await Promise.all(shards.map((rows, s) => store.put(eventShardKey(runId, s), json(rows))));
}

/** Writes the profile plan: the sampling rate that keeps about `options.sampleUsers` of `users`. */
export async function writeProfilePlan(
  store: ArtifactStore,
  runId: string,
  run: { now: number; userShards: number; users: number; items: Item[] },
  options: ProfileRunOptions,
): Promise<ProfileRunPlan> {
  const plan: ProfileRunPlan = {
    now: run.now,
    userShards: run.userShards,
    sampling: samplingFor(
      options.sampleUsers,
      run.users,
      options.config.seed ?? DEFAULT_PROFILE_TRAINING_CONFIG.seed,
    ),
    items: run.items,
    config: options.config,
  };
  await store.put(key.plan(runId), json(plan));
  return plan;
}

/** One user shard's features (for scoring) and its sampled trainable users (for the reduce). */
export async function profileFeaturesTask(
  store: ArtifactStore,
  runId: string,
  shard: number,
): Promise<{ shard: number; users: number; sampled: number }> {
  return onShard('profileFeatures', shard, async () => {
    const plan = await readPlan(store, runId);
    const events = await readEventShard(store, runId, shard);
    const minEvents = plan.config.minEvents ?? DEFAULT_PROFILE_TRAINING_CONFIG.minEvents;
    const output = profileShardTask({ events }, plan.items, plan.now, plan.sampling, minEvents);
    await store.put(key.features(runId, shard), json(output.features));
    await store.put(
      key.sample(runId, shard),
      json({ sampled: output.sampled, sampledEvents: output.sampledEvents }),
    );
    return { shard, users: output.features.length, sampled: output.sampled.length };
  });
}

/**
 * The reduce: segments, anomaly and churn trained on every shard's sample, then gated and published
 * through the same registry calls as the single profile retrain. Too few users to train on is a
 * normal outcome (skipped with the reason), as on the single path.
 */
export async function profilesReduceTask(
  store: ArtifactStore,
  registry: ProfileModelRegistry,
  runId: string,
) {
  const plan = await readPlan(store, runId);
  const outputs: ProfileShardOutput[] = [];
  for (let s = 0; s < plan.userShards; s++) {
    const sample = await parsed<Omit<ProfileShardOutput, 'features'>>(store, key.sample(runId, s));
    // Every user's features stay in their shard's file: the scoring Map reads them there.
    outputs.push({ ...sample, features: [] });
  }
  const live = await liveProfileModels(registry);
  const started = performance.now();
  let trained: ReturnType<typeof reduceProfileShards>;
  try {
    trained = reduceProfileShards(outputs, plan.items, plan.now, plan.config, live);
  } catch (error) {
    if (error instanceof NotEnoughDataError) return { runId, skipped: { profiles: error.message } };
    throw error;
  }
  const trainMs = performance.now() - started;
  const published = await publishProfileModels(registry, trained, { trainMs, dataCutoff: plan.now });
  return {
    runId,
    published,
    metrics: trained.metrics,
    trainMs: Math.round(trainMs),
    skipped: { shilling: SHILLING_NOT_DISTRIBUTED_REASON },
  };
}

/** Where the scoring task writes. */
export interface ProfileScoringStores {
  registry: ProfileModelRegistry;
  summaries: Pick<ProfileStore, 'putAll' | 'getAll'>;
  histories: Pick<ProfileHistoryStore, 'putAll' | 'stampsOf'>;
}

/**
 * One user shard's users scored with the live models into the profiles table (the live shilling
 * model's flags carried on), and their histories up to the run's day stored, as the single path does.
 */
export async function profileScoresTask(
  store: ArtifactStore,
  stores: ProfileScoringStores,
  runId: string,
  shard: number,
): Promise<{
  shard: number;
  scored: number;
  summariesWritten: number;
  histories: number;
  historiesWritten: number;
}> {
  return onShard('profileScores', shard, async () => {
    const plan = await readPlan(store, runId);
    const features = await parsed<ProfileFeatures[]>(store, key.features(runId, shard));
    const shilling = await liveShillingAnswers(stores.registry);
    const summaries = await scoreProfiles(stores.summaries, stores.registry, features, shilling);
    const events = await readEventShard(store, runId, shard);
    const histories = await storeHistories(
      stores.histories,
      events,
      plan.items,
      historyCutOf(plan.now),
      plan.now,
    );
    return {
      shard,
      scored: summaries.scored,
      summariesWritten: summaries.written,
      histories: histories.users,
      historiesWritten: histories.written,
    };
  });
}
