/**
 * The profile step of the retrain job, wired to DynamoDB and S3 from the environment. The retrain
 * handler calls `runProfileRetrain` once per run (after or alongside the recommendation models).
 */
import { DynamoEventStore, DynamoItemStore, DynamoUserStore } from '#adapters/dynamodb/catalog-stores.ts';
import { profileRegistry } from '#adapters/models/registries.ts';
import { type ProfileRetrainResult, retrainProfiles } from '#domain/profiles/retrain.ts';
import type { ProfileTrainingConfig } from '#domain/profiles/train.ts';
import { readSetting, tableNameFromEnv } from '#platform/config.ts';
import { DynamoProfileHistories } from './dynamo-profile-histories.ts';
import { DynamoProfileStore } from './dynamo-profile-store.ts';

/** Churn = no activity in this many days; read once per process. */
const churnHorizonDays = readSetting('PROFILE_CHURN_HORIZON_DAYS');

/** Trains, gates, publishes and re-scores the profile models from the tables named in the environment. */
export async function runProfileRetrain(
  options: { now?: number; config?: Partial<ProfileTrainingConfig> } = {},
): Promise<ProfileRetrainResult> {
  return retrainProfiles(
    {
      events: new DynamoEventStore(tableNameFromEnv('events')),
      items: new DynamoItemStore(tableNameFromEnv('items')),
      users: new DynamoUserStore(tableNameFromEnv('users')),
      profiles: new DynamoProfileStore(tableNameFromEnv('profiles')),
      histories: new DynamoProfileHistories(tableNameFromEnv('profileHistory')),
    },
    profileRegistry(),
    { now: options.now ?? Date.now(), config: { churnHorizonDays, ...options.config } },
  );
}
