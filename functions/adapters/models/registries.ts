/**
 * The model registries' storage, built once per process from the environment (the models table and
 * bucket): recommendation and profile records share the table under their own families, and every
 * handler that reads or writes models takes them from here instead of building its own.
 */
import { PROFILE_MODEL_NAME_LIST, ProfileRegistry } from '#domain/profiles/registry.ts';
import { bucketNameFromEnv, tableNameFromEnv } from '#platform/config.ts';
import { DynamoModelRecords } from './dynamo-model-records.ts';
import { S3Artifacts } from './s3-artifacts.ts';

let recommendations: DynamoModelRecords | undefined;
let profiles: DynamoModelRecords | undefined;
let artifacts: S3Artifacts | undefined;
let registry: ProfileRegistry | undefined;

/** Version rows and live pointers of the recommendation models. */
export function recommendationModelRecords(): DynamoModelRecords {
  recommendations ??= new DynamoModelRecords(tableNameFromEnv('models'));
  return recommendations;
}

/** Version rows and live pointers of the profile models (their own family in the same table). */
export function profileModelRecords(): DynamoModelRecords {
  profiles ??= new DynamoModelRecords(tableNameFromEnv('models'), PROFILE_MODEL_NAME_LIST, 'profiles');
  return profiles;
}

/** Model artifacts in the models bucket. */
export function modelArtifacts(): S3Artifacts {
  artifacts ??= new S3Artifacts(bucketNameFromEnv('models'));
  return artifacts;
}

/** The profile models' registry over the two above. */
export function profileRegistry(): ProfileRegistry {
  registry ??= new ProfileRegistry(profileModelRecords(), modelArtifacts());
  return registry;
}
