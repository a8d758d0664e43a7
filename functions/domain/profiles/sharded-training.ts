/**
 * Profile models trained over user shards: a user's features depend on that user's events only, so
 * each shard computes its users' features alone; the clusterer, anomaly forest and churn model then
 * train at the reduce on a sample of users of a stated expected size, which every shard draws by
 * itself (a seeded hash of the user id), so no shard waits for another.
 */
import type { InteractionEvent, Item, UserAttributes } from '#domain/catalog/types.ts';
import type { ProfileFeatures } from './features.ts';
import { groupEventsByUser } from './features.ts';
import type { LiveProfileModels } from './model-artifacts.ts';
import {
  DEFAULT_PROFILE_TRAINING_CONFIG,
  featuresAsOf,
  type ProfileTrainingConfig,
  type ProfileTrainingResult,
  trainableProfiles,
  trainOnProfiles,
} from './train.ts';

/** Whether a user is in the training sample: a seeded FNV-1a hash of the id below `rate` (0..1). */
export function inTrainingSample(userId: string, rate: number, seed: number): boolean {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // A final avalanche so ids differing in their last character spread over the whole range.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return (hash >>> 0) / 2 ** 32 < rate;
}

/** What one user shard's task hands the reduce. */
export interface ProfileShardOutput {
  /** Every user's features as of `now` (batch scoring reads them). */
  features: ProfileFeatures[];
  /** The sampled trainable users' features: the reduce's training rows. */
  sampled: ProfileFeatures[];
  /** The sampled users' events, which churn labels are drawn from. */
  sampledEvents: InteractionEvent[];
}

/** Sampling shared by every shard of one run. */
export interface ProfileSampling {
  /** Share of users kept (the stated sample size over the users in the run), 0..1. */
  rate: number;
  seed: number;
}

/** The sampling rate that keeps about `sampleSize` of `users` users. */
export function samplingFor(sampleSize: number, users: number, seed: number): ProfileSampling {
  return { rate: users > 0 ? Math.min(1, sampleSize / users) : 1, seed };
}

/** A user shard's task: its users' features, and the sampled trainable ones with their events. */
export function profileShardTask(
  shard: { events: readonly InteractionEvent[]; users?: readonly UserAttributes[] },
  items: readonly Item[],
  now: number,
  sampling: ProfileSampling,
  minEvents = DEFAULT_PROFILE_TRAINING_CONFIG.minEvents,
): ProfileShardOutput {
  const itemsById = new Map(items.map((item) => [item.itemId, item]));
  const byUser = groupEventsByUser(shard.events);
  const features = [...featuresAsOf(byUser, itemsById, { ...shard, items, now }).values()];
  const sampled = features.filter(
    (f) => f.activity.totalEvents >= minEvents && inTrainingSample(f.userId, sampling.rate, sampling.seed),
  );
  const sampledEvents = sampled.flatMap((f) => byUser.get(f.userId) ?? []);
  return { features, sampled, sampledEvents };
}

/** The reduce: the three models trained on the shards' samples; features of every user kept. */
export function reduceProfileShards(
  outputs: readonly ProfileShardOutput[],
  items: readonly Item[],
  now: number,
  config: Partial<ProfileTrainingConfig> = {},
  live: LiveProfileModels = {},
): ProfileTrainingResult {
  const c = { ...DEFAULT_PROFILE_TRAINING_CONFIG, ...config };
  const sample = trainableProfiles(
    outputs.flatMap((o) => o.sampled),
    c,
  );
  const itemsById = new Map(items.map((item) => [item.itemId, item]));
  const byUser = groupEventsByUser(outputs.flatMap((o) => o.sampledEvents));
  const features = new Map(outputs.flatMap((o) => o.features.map((f) => [f.userId, f] as const)));
  return { ...trainOnProfiles(sample, byUser, itemsById, c, now, live), features };
}
