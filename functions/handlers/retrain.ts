/**
 * The retrain function (EventBridge schedule; `npm run retrain` runs it now): trains, evaluates and
 * gates every model family. Recommendation models first; each family is isolated so one failing
 * does not stop the others.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { DynamoEventStore, DynamoItemStore } from '#adapters/dynamodb/catalog-stores.ts';
import { DynamoModelRecords } from '#adapters/models/dynamo-model-records.ts';
import { LambdaLayerPublisher } from '#adapters/models/lambda-layer-publisher.ts';
import { S3Artifacts } from '#adapters/models/s3-artifacts.ts';
import { runProfileRetrain } from '#adapters/profiles/retrain-job.ts';
import { CatalogTrainingSources } from '#adapters/models/training-sources.ts';
import { parseFunctionList, publishModelsLayerAfterRetrain } from '#domain/models/models-layer.ts';
import {
  isFullRun,
  isolated,
  type RetrainRequest,
  requestedModels,
  runFamilies,
} from '#domain/models/retrain-run.ts';
import { PROFILE_MODEL_NAME_LIST, ProfileRegistry } from '#domain/profiles/registry.ts';
import { liveFlaggedUsers } from '#domain/profiles/shilling/model.ts';
import { MODEL_NAMES } from '#domain/recommendations/artifact.ts';
import { retrainRecommendationModels } from '#domain/recommendations/retrain.ts';
import { DEFAULT_TRAINING_OPTIONS } from '#domain/recommendations/training.ts';
import { logger, metrics, withObservability } from '#edge/observability.ts';
import { bucketNameFromEnv, getNumberFromEnv, getStringFromEnv, tableNameFromEnv } from '#platform/config.ts';

const sources = new CatalogTrainingSources(
  new DynamoEventStore(tableNameFromEnv('events')),
  new DynamoItemStore(tableNameFromEnv('items')),
);
const records = new DynamoModelRecords(tableNameFromEnv('models'));
const artifacts = new S3Artifacts(bucketNameFromEnv('models'));
// The live shilling model's flagged accounts: their events weigh SHILLING_DISCOUNT_FACTOR in training.
const profileRegistry = new ProfileRegistry(
  new DynamoModelRecords(tableNameFromEnv('models'), PROFILE_MODEL_NAME_LIST, 'profiles'),
  artifacts,
);
const flaggedUserWeight = getNumberFromEnv({
  key: 'SHILLING_DISCOUNT_FACTOR',
  defaultValue: 0,
  min: 0,
  max: 1,
});
// Set by the Ml stack in AWS; unset locally, where serving picks a promotion up through the registry TTL.
const servingFunctions = parseFunctionList(
  getStringFromEnv({ key: 'MODEL_SERVING_FUNCTIONS', defaultValue: '' }),
);
const modelsLayerName = getStringFromEnv({ key: 'MODELS_LAYER_NAME', defaultValue: '' });
const layerPublisher = modelsLayerName
  ? new LambdaLayerPublisher({
      bucket: bucketNameFromEnv('models'),
      artifacts,
      layerName: modelsLayerName,
      architecture: getStringFromEnv({ key: 'MODELS_LAYER_ARCHITECTURE' }),
      runtime: getStringFromEnv({ key: 'MODELS_LAYER_RUNTIME' }),
    })
  : undefined;

/** `detail.models` restricts a run (e.g. a frequent schedule refreshing only trending and popularity). */
type ScheduledEvent = EventBridgeEvent<'Scheduled Event', RetrainRequest>;

const skipped = { skipped: 'run restricted to other models' };
const families = {
  recommendations: async (request: RetrainRequest) => {
    const models = requestedModels(request, MODEL_NAMES);
    if (models.length === 0) return skipped;
    return retrainRecommendationModels({
      sources,
      records,
      artifacts,
      log: (message, details) => logger.info(message, { ...details }),
      flaggedUsers: () => liveFlaggedUsers(profileRegistry),
      options: {
        flaggedUserWeight,
        ...(isFullRun(request) ? {} : { training: { ...DEFAULT_TRAINING_OPTIONS, models } }),
      },
    });
  },
  // Profile models train together (segments, anomaly and churn share one feature matrix).
  profiles: async (request: RetrainRequest) =>
    requestedModels(request, PROFILE_MODEL_NAME_LIST).length > 0 ? runProfileRetrain() : skipped,
};

export const handler = middy(async (event: ScheduledEvent) => {
  const request = event.detail ?? {};
  logger.info('retrain started', { reason: request.reason });
  const results = await runFamilies(families, request, (family, error) =>
    logger.error('retrain failed for a model family', { family, error }),
  );
  // Keeps the serving functions on a models layer holding the recommendation models now live
  // (publishing a version when they changed). A failure costs only cold-start speed (serving loads
  // new versions from S3), so it is logged and counted, never thrown.
  results.modelsLayer = await isolated(
    async () => {
      const outcome = await publishModelsLayerAfterRetrain({
        records,
        modelNames: MODEL_NAMES,
        fullRun: isFullRun(request),
        servingFunctions,
        publisher: layerPublisher,
      });
      logger.info('models layer', { ...outcome });
      if (outcome.published && outcome.pruneError)
        logger.warn('old models layer versions were not all deleted', { reason: outcome.pruneError });
      return outcome;
    },
    (error) => {
      logger.error('models layer publish failed; serving loads the new versions from S3', { error });
      metrics.addMetric('ModelsLayerPublishFailure', MetricUnit.Count, 1);
    },
  );
  return results;
}).use(withObservability());
