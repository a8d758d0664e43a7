/** Lambda adapter of the catalog routes: parse (done by the edge), call the domain, map the result. */
import { DynamoKeyEraser } from '#adapters/dynamodb/erasure.ts';
import { DynamoEventStore, DynamoItemStore, DynamoUserStore } from '#adapters/dynamodb/catalog-stores.ts';
import { DynamoPartitionEraser } from '#adapters/experiments/dynamo-experiment-stores.ts';
import { RecommendationIdKeySecret } from '#adapters/experiments/recommendation-id-key-secret.ts';
import { catalogContracts } from '#contracts/catalog.ts';
import { CatalogService } from '#domain/catalog/catalog.ts';
import { httpHandler } from '#edge/http.ts';
import { readSetting, tableNameFromEnv } from '#platform/config.ts';

const catalog = new CatalogService(
  new DynamoItemStore(tableNameFromEnv('items')),
  new DynamoUserStore(tableNameFromEnv('users')),
  new DynamoEventStore(
    tableNameFromEnv('events'),
    readSetting('EVENT_RETENTION_DAYS'),
    tableNameFromEnv('users'),
  ),
  new RecommendationIdKeySecret(readSetting('RECOMMENDATION_ID_KEY_SECRET')),
  [
    new DynamoKeyEraser(tableNameFromEnv('profiles')),
    new DynamoKeyEraser(tableNameFromEnv('profileHistory')),
    // Exposures, attributions and experiment tallies.
    new DynamoPartitionEraser(tableNameFromEnv('exposures')),
  ],
);

export const handler = httpHandler('catalog', catalogContracts, {
  putItem: async ({ params, body }) => ({ status: 200, body: await catalog.putItem(params.itemId, body) }),
  getItem: async ({ params }) => ({ status: 200, body: await catalog.getItem(params.itemId) }),
  putItems: async ({ body }) => ({ status: 200, body: { stored: await catalog.putItems(body.items) } }),
  putUser: async ({ params, body }) => ({ status: 200, body: await catalog.putUser(params.userId, body) }),
  getUser: async ({ params }) => ({ status: 200, body: await catalog.getUser(params.userId) }),
  eraseUser: async ({ params }) => {
    await catalog.eraseUser(params.userId);
    return { status: 204 };
  },
  postEvents: async ({ body }) => {
    const events = await catalog.recordEvents(body.events);
    return { status: 202, body: { stored: events.length, eventIds: events.map((e) => e.eventId) } };
  },
  listUserEvents: async ({ params, query }) => {
    const page = await catalog.listUserEvents(params.userId, query);
    return { status: 200, body: { events: page.items, ...(page.cursor ? { cursor: page.cursor } : {}) } };
  },
});
