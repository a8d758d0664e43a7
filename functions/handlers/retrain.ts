/**
 * The retrain function (EventBridge schedule; `npm run retrain` runs it now): trains, evaluates and
 * gates every model family. Recommendation models first; each family is isolated so one failing
 * does not stop the others.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { DynamoEventStore, DynamoItemStore } from '#adapters/dynamodb/catalog-stores.ts';
import { DynamoEventCount } from '#adapters/dynamodb/event-count.ts';
import { LambdaLayerPublisher } from '#adapters/models/lambda-layer-publisher.ts';
import { modelArtifacts, profileRegistry, recommendationModelRecords } from '#adapters/models/registries.ts';
import { runProfileRetrain } from '#adapters/profiles/retrain-job.ts';
import { CatalogTrainingSources } from '#adapters/models/training-sources.ts';
import { DynamoRecentEvents } from '#adapters/models/dynamo-catalog-reads.ts';
import { StepFunctionsRetrainStarter } from '#adapters/stepfunctions/retrain-starter.ts';
import { parseFunctionList, publishModelsLayerAfterRetrain } from '#domain/models/models-layer.ts';
import { livePointersOf } from '#domain/models/registry.ts';
import { chooseRetrainPath, type RetrainPath } from '#domain/models/retrain-path.ts';
import {
  isFullRun,
  isolated,
  type RetrainRequest,
  requestedModels,
  runRetrain,
  withRetrainLease,
} from '#domain/models/retrain-run.ts';
import { PROFILE_MODEL_NAME_LIST } from '#domain/profiles/registry.ts';
import { liveFlaggedUsers } from '#domain/profiles/shilling/model.ts';
import { MODEL_NAMES } from '#domain/recommendations/artifact.ts';
import { retrainRecommendationModels } from '#domain/recommendations/retrain.ts';
import { easeOptionsCappedAt } from '#domain/recommendations/ease.ts';
import { DEFAULT_TRAINING_OPTIONS } from '#domain/recommendations/training.ts';
import { logger, metrics, withObservability } from '#edge/observability.ts';
import { bucketNameFromEnv, functionMemoryMb, readSetting, tableNameFromEnv } from '#platform/config.ts';
import { EXECUTION_STATUS_CHANGE } from '#platform/declaration.ts';

const sources = new CatalogTrainingSources(
  new DynamoEventStore(tableNameFromEnv('events')),
  new DynamoItemStore(tableNameFromEnv('items')),
  new DynamoRecentEvents(tableNameFromEnv('events')),
);
/** How far back the trending refresh reads events (trending corrects its sums for the rest). */
const recentWindowMs = readSetting('TRENDING_REFRESH_DAYS') * 86_400_000;
const records = recommendationModelRecords();
const artifacts = modelArtifacts();
const flaggedUserWeight = readSetting('SHILLING_DISCOUNT_FACTOR');
// Set by the Ml stack in AWS; unset locally, where serving picks a promotion up through the registry TTL.
const servingFunctions = parseFunctionList(readSetting('MODEL_SERVING_FUNCTIONS'));
const modelsLayerName = readSetting('MODELS_LAYER_NAME');
/** Models layer versions kept after a publish besides those an alias or $LATEST uses (~90 MB each). */
const layerVersionsKept = readSetting('MODELS_LAYER_VERSIONS_KEPT');
/** What the models may take of the serving functions' 250 MB unpacked; the rest is served from S3. */
const layerBudgetBytes = readSetting('MODELS_LAYER_BUDGET_MB') * 2 ** 20;
const layerPublisher = modelsLayerName
  ? new LambdaLayerPublisher({
      bucket: bucketNameFromEnv('models'),
      artifacts,
      layerName: modelsLayerName,
      architecture: readSetting('MODELS_LAYER_ARCHITECTURE'),
      runtime: readSetting('MODELS_LAYER_RUNTIME'),
    })
  : undefined;

/** Above this many stored events a full run starts the distributed state machine instead. */
const distributedAboveEvents = readSetting('RETRAIN_DISTRIBUTED_ABOVE_EVENTS');
const eventCount = new DynamoEventCount(tableNameFromEnv('events'));
const distributedRetrain = new StepFunctionsRetrainStarter(readSetting('RETRAIN_STATE_MACHINE_ARN'));

/**
 * `detail.models` restricts a run (e.g. a frequent schedule refreshing only trending and
 * popularity); `detail.path` forces one path (`npm run retrain -- --path`).
 */
type ScheduledEvent = EventBridgeEvent<'Scheduled Event', RetrainRequest & { path?: RetrainPath }>;
/** Rule retrain-execution-succeeded: a distributed run succeeded (the detail is not a retrain request). */
type DistributedRunSucceeded = EventBridgeEvent<typeof EXECUTION_STATUS_CHANGE, { status: string }>;

const skipped = { skipped: 'run restricted to other models' };
/** The dense EASE models' cap on modelled items (skipped above what this function's memory holds). */
const trainingOptions = {
  ...DEFAULT_TRAINING_OPTIONS,
  ...easeOptionsCappedAt(readSetting('EASE_MAX_MODELLED_ITEMS')),
};

/** One run's model families; what the recommendations family skipped is noted on the run's record. */
const familiesOf = (run: { runId: string; memoryMb?: number }) => ({
  recommendations: async (request: RetrainRequest) => {
    const models = requestedModels(request, MODEL_NAMES);
    if (models.length === 0) return skipped;
    const report = await retrainRecommendationModels({
      sources,
      records,
      artifacts,
      log: (message, details) => logger.info(message, { ...details }),
      flaggedUsers: () => liveFlaggedUsers(profileRegistry()),
      memoryMb: run.memoryMb,
      options: {
        flaggedUserWeight,
        training: isFullRun(request) ? trainingOptions : { ...trainingOptions, models },
        ...(isFullRun(request) ? {} : { recentWindowMs }),
      },
    });
    await records.recordSkipped(run.runId, report.skipped as Record<string, string>);
    return report;
  },
  // Profile models train together (segments, anomaly and churn share one feature matrix).
  profiles: async (request: RetrainRequest) =>
    requestedModels(request, PROFILE_MODEL_NAME_LIST).length > 0 ? runProfileRetrain() : skipped,
});

/** The lease outlives the function by this much, so only a crashed run's lease ever expires. */
const LEASE_MARGIN_MS = 60_000;

export const handler = middy(async (event: ScheduledEvent | DistributedRunSucceeded, context: Context) => {
  if (event['detail-type'] === EXECUTION_STATUS_CHANGE) {
    // The distributed run's new versions go into the models layer exactly as a single full run's
    // do; the run has already ended, and a failure here is only logged and counted.
    const layer = modelsLayerStep({});
    return { modelsLayer: await isolated(layer.step, layer.onError) };
  }
  const request = event.detail ?? {};
  const route = await chooseRetrainPath(request, eventCount, distributedAboveEvents);
  logger.info('retrain started', { reason: request.reason, path: route.path, why: route.why });
  if (route.path === 'distributed') {
    // The machine takes the retrain lease itself (its Snapshot), and is refused like any run.
    const execution = await distributedRetrain.start({
      runId: context.awsRequestId,
      reason: request.reason ?? 'unspecified',
    });
    return { distributed: { execution, why: route.why } };
  }
  const outcome = await withRetrainLease(
    records,
    { ...request, runId: context.awsRequestId },
    { now: new Date(), leaseMs: context.getRemainingTimeInMillis() + LEASE_MARGIN_MS },
    () =>
      retrainFamilies(
        request,
        familiesOf({ runId: context.awsRequestId, memoryMb: functionMemoryMb(context) }),
      ),
  );
  if (outcome.ran) return outcome.result;
  logger.info('retrain refused: another run holds the lease', { refusal: outcome.refusal });
  return { refused: outcome.refusal };
}).use(withObservability());

/** The models layer after the families: a failure costs only cold-start speed, so it is logged and counted. */
const modelsLayerStep = (request: RetrainRequest) => ({
  name: 'modelsLayer',
  // Keeps the serving functions on a models layer holding the recommendation models now live
  // (publishing a version when they changed).
  step: async () => {
    const outcome = await publishModelsLayerAfterRetrain({
      records,
      modelNames: MODEL_NAMES,
      fullRun: isFullRun(request),
      servingFunctions,
      publisher: layerPublisher,
      keep: layerVersionsKept,
      budgetBytes: layerBudgetBytes,
    });
    logger.info('models layer', { ...outcome });
    if (outcome.published && outcome.pruneError)
      logger.warn('old models layer versions were not all deleted', { reason: outcome.pruneError });
    return outcome;
  },
  onError: (error: unknown) => {
    logger.error('models layer publish failed; serving loads the new versions from S3', { error });
    metrics.addMetric('ModelsLayerPublishFailure', MetricUnit.Count, 1);
  },
});

const retrainFamilies = (request: RetrainRequest, families: ReturnType<typeof familiesOf>) =>
  runRetrain(request, {
    families,
    anyModelLive: async () => (await livePointersOf(records, MODEL_NAMES)).live.size > 0,
    presence: () => sources.presence(),
    last: modelsLayerStep(request),
    log: {
      nothingToTrain: (reason) => logger.info(`retrain: ${reason}; live models unchanged`),
      familyFailed: (family, error) => logger.error('retrain failed for a model family', { family, error }),
    },
  });
