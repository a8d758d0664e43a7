/** Lambda adapter of the audience-profile routes: parse (done by the edge), call the service, map the result. */
import { DynamoItemStore } from '#adapters/dynamodb/catalog-stores.ts';
import { DynamoModelRecords } from '#adapters/models/dynamo-model-records.ts';
import { S3Artifacts } from '#adapters/models/s3-artifacts.ts';
import { PROFILE_MODEL_NAME_LIST, ProfileRegistry } from '#domain/profiles/registry.ts';
import { DynamoProfileEvents } from '#adapters/profiles/dynamo-profile-events.ts';
import { DynamoProfileStore } from '#adapters/profiles/dynamo-profile-store.ts';
import { DynamoProfileSubjects } from '#adapters/profiles/dynamo-profile-subjects.ts';
import { profilesContracts } from '#contracts/profiles.ts';
import { DEFAULT_MAX_PROFILE_EVENTS, ProfileService } from '#domain/profiles/service.ts';
import { httpHandler } from '#edge/http.ts';
import { bucketNameFromEnv, getNumberFromEnv, tableNameFromEnv } from '#platform/config.ts';

const profiles = new ProfileService(
  {
    events: new DynamoProfileEvents(tableNameFromEnv('events')),
    items: new DynamoItemStore(tableNameFromEnv('items')),
    profiles: new DynamoProfileStore(tableNameFromEnv('profiles')),
    subjects: new DynamoProfileSubjects({
      users: tableNameFromEnv('users'),
      profiles: tableNameFromEnv('profiles'),
      histories: tableNameFromEnv('profileHistory'),
    }),
  },
  new ProfileRegistry(
    new DynamoModelRecords(tableNameFromEnv('models'), PROFILE_MODEL_NAME_LIST, 'profiles'),
    new S3Artifacts(bucketNameFromEnv('models')),
  ),
  {
    maxEvents: getNumberFromEnv({
      key: 'PROFILE_MAX_EVENTS',
      defaultValue: DEFAULT_MAX_PROFILE_EVENTS,
      min: 1,
      max: 100_000,
    }),
    modelRefreshMs: getNumberFromEnv({
      key: 'PROFILE_MODEL_REFRESH_MS',
      defaultValue: 30_000,
      min: 0,
      max: 3_600_000,
    }),
  },
);

export const handler = httpHandler('profiles', profilesContracts, {
  getProfile: async ({ params }) => ({ status: 200, body: await profiles.getProfile(params.userId) }),
  listSegments: async () => ({ status: 200, body: await profiles.listSegments() }),
  listSegmentUsers: async ({ params, query }) => ({
    status: 200,
    body: await profiles.listSegmentUsers(params.segmentId, query),
  }),
  listAnomalies: async ({ query }) => ({ status: 200, body: await profiles.listAnomalies(query) }),
});
