/** Lambda adapter of the recommendation routes: parse (done by the edge), call the service, map the result. */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoEventStore, DynamoItemStore } from '#adapters/dynamodb/catalog-stores.ts';
import { DynamoExperimentStore } from '#adapters/experiments/dynamo-experiment-stores.ts';
import { RecommendationIdKeySecret } from '#adapters/experiments/recommendation-id-key-secret.ts';
import { DynamoCatalogItems, DynamoFallbackCatalog } from '#adapters/models/dynamo-catalog-reads.ts';
import { LayeredArtifacts } from '#adapters/models/layered-artifacts.ts';
import {
  modelArtifacts,
  profileModelRecords,
  recommendationModelRecords,
} from '#adapters/models/registries.ts';
import { recommendationsContracts } from '#contracts/recommendations.ts';
import { LiveModels } from '#domain/recommendations/live-models.ts';
import { PROFILE_MODEL_NAME_LIST } from '#domain/profiles/registry.ts';
import { CachedExperiments, ListAttribution } from '#domain/experiments/list-attribution.ts';
import { CachedPlayableCatalog } from '#domain/recommendations/playable-catalog.ts';
import { FallbackRanking } from '#domain/recommendations/serving/fallback.ts';
import { RecommendationService } from '#domain/recommendations/service.ts';
import { httpHandler } from '#edge/http.ts';
import { logger, metrics } from '#edge/observability.ts';
import { readSetting, tableNameFromEnv } from '#platform/config.ts';

const records = recommendationModelRecords();
const artifacts = new LayeredArtifacts(
  // Where the models layer unpacks (AWS); absent locally, so every artifact comes from S3.
  readSetting('MODELS_DIR'),
  modelArtifacts(),
  // Artifacts fetched from S3, split for memory-mapping: Lambda's /tmp (the local platform sets its state folder).
  readSetting('MODELS_CACHE_DIR') || path.join(tmpdir(), 'models-cache'),
  (key, error) => logger.warn('could not cache the artifact on disk; serving it from memory', { key, error }),
);
const live = new LiveModels(records, artifacts, {
  // How stale the live pointer may be: a promotion or rollback is served within this time.
  ttlMs: readSetting('MODEL_REFRESH_MS'),
  onFailure: ({ name, version, error }) => {
    logger.error('model load failed; the previous version or popularity keeps serving', {
      name,
      version,
      error,
    });
    metrics.addMetric('ModelLoadFailure', MetricUnit.Count, 1);
  },
});
// Start loading the default model while the container initialises (Lambda's init phase), so the
// first request overlaps its events read with the registry reads and session creation. A failure
// here is retried by that request.
live.current(['default']).catch((error) => logger.warn('model prefetch failed', { error }));
const experiments = new DynamoExperimentStore(tableNameFromEnv('experiments'));
const signingKey = new RecommendationIdKeySecret(readSetting('RECOMMENDATION_ID_KEY_SECRET'));
// Read during init too, so the first list does not wait for Secrets Manager.
signingKey.current().catch((error) => logger.warn('signing key prefetch failed', { error }));
const service = new RecommendationService(
  live,
  records,
  new DynamoEventStore(tableNameFromEnv('events')),
  new DynamoItemStore(tableNameFromEnv('items')),
  {
    historyEvents: readSetting('RECS_HISTORY_EVENTS'),
    playable: new CachedPlayableCatalog(
      new DynamoCatalogItems(tableNameFromEnv('items')),
      // How long a video finishing may take to show under playableOnly (one Scan per container per TTL).
      readSetting('RECS_PLAYABLE_TTL_MS'),
    ),
    profiles: {
      records: profileModelRecords(),
      names: PROFILE_MODEL_NAME_LIST,
    },
    runs: records,
    attribution: new ListAttribution(
      // One read of the (few) experiments per container per EXPERIMENTS_REFRESH_MS, none per request.
      new CachedExperiments(() => experiments.list(), readSetting('EXPERIMENTS_REFRESH_MS')),
      signingKey,
    ),
    fallback: new FallbackRanking(
      new DynamoFallbackCatalog(tableNameFromEnv('events'), tableNameFromEnv('items')),
      // How stale the first-start answer may be (one bounded read per container per TTL).
      {
        ttlMs: readSetting('RECS_FALLBACK_TTL_MS'),
      },
    ),
  },
);

export const handler = httpHandler('recommendations', recommendationsContracts, {
  getRecommendations: async ({ params, query }) => ({
    status: 200,
    body: await service.recommend(params.userId, query),
  }),
  rankItems: async ({ params, query, body }) => ({
    status: 200,
    body: await service.rank(params.userId, body.itemIds, query.model),
  }),
  getSimilarItems: async ({ params, query }) => ({
    status: 200,
    body: await service.similar(params.itemId, query),
  }),
  getTrending: async ({ query }) => ({ status: 200, body: await service.trending(query) }),
  listModels: async () => ({ status: 200, body: await service.listModels() }),
  rollbackModel: async ({ params }) => ({ status: 200, body: await service.rollback(params.name) }),
});
