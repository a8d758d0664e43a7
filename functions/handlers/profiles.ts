/** Lambda adapter of the audience-profile routes: parse (done by the edge), call the service, map the result. */
import { DynamoItemStore } from '#adapters/dynamodb/catalog-stores.ts';
import { profileRegistry } from '#adapters/models/registries.ts';
import { DynamoProfileEvents } from '#adapters/profiles/dynamo-profile-events.ts';
import { DynamoProfileStore } from '#adapters/profiles/dynamo-profile-store.ts';
import { DynamoProfileSubjects } from '#adapters/profiles/dynamo-profile-subjects.ts';
import { profilesContracts } from '#contracts/profiles.ts';
import { summaryWithoutRiskScores, withoutRiskScores } from '#domain/profiles/risk-visibility.ts';
import { ProfileService } from '#domain/profiles/service.ts';
import { httpHandler } from '#edge/http.ts';
import { readSetting, tableNameFromEnv } from '#platform/config.ts';

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
  profileRegistry(),
  {
    maxEvents: readSetting('PROFILE_MAX_EVENTS'),
    modelRefreshMs: readSetting('PROFILE_MODEL_REFRESH_MS'),
  },
);

export const handler = httpHandler('profiles', profilesContracts, {
  getProfile: async ({ params, caller }) => {
    const profile = await profiles.getProfile(params.userId);
    return { status: 200, body: caller.can('admin') ? profile : withoutRiskScores(profile) };
  },
  listSegments: async () => ({ status: 200, body: await profiles.listSegments() }),
  listSegmentUsers: async ({ params, query, caller }) => {
    const page = await profiles.listSegmentUsers(params.segmentId, query);
    const users = caller.can('admin') ? page.users : page.users.map(summaryWithoutRiskScores);
    return { status: 200, body: { ...page, users } };
  },
  listAnomalies: async ({ query }) => ({ status: 200, body: await profiles.listAnomalies(query) }),
});
