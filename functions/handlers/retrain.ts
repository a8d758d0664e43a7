/**
 * The retrain function (EventBridge schedule; `npm run retrain` runs it now): trains, evaluates and
 * gates every model family. Recommendation models first; each family is isolated so one failing
 * does not stop the others.
 */
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { DynamoEventStore, DynamoItemStore } from '#adapters/dynamodb/catalog-stores.ts';
import { DynamoModelRecords } from '#adapters/models/dynamo-model-records.ts';
import { S3Artifacts } from '#adapters/models/s3-artifacts.ts';
import { runProfileRetrain } from '#adapters/profiles/retrain-job.ts';
import { CatalogTrainingSources } from '#adapters/models/training-sources.ts';
import { isModelName } from '#domain/recommendations/artifact.ts';
import { retrainRecommendationModels } from '#domain/recommendations/retrain.ts';
import { DEFAULT_TRAINING_OPTIONS } from '#domain/recommendations/training.ts';
import { logger, withObservability } from '#edge/observability.ts';
import { bucketNameFromEnv, tableNameFromEnv } from '#platform/config.ts';

const sources = new CatalogTrainingSources(
  new DynamoEventStore(tableNameFromEnv('events')),
  new DynamoItemStore(tableNameFromEnv('items')),
);
const records = new DynamoModelRecords(tableNameFromEnv('models'));
const artifacts = new S3Artifacts(bucketNameFromEnv('models'));

/** `detail.models` restricts a run (e.g. a frequent schedule refreshing only trending and popularity). */
type ScheduledEvent = EventBridgeEvent<'Scheduled Event', { reason?: string; models?: string[] }>;

/** One model family's training step; a failure is logged and reported, not thrown. */
type FamilyStep = (event: ScheduledEvent) => Promise<unknown>;

const families: Record<string, FamilyStep> = {
  recommendations: (event) => {
    const only = event.detail?.models?.filter(isModelName);
    return retrainRecommendationModels({
      sources,
      records,
      artifacts,
      log: (message, details) => logger.info(message, { ...details }),
      options: only?.length ? { training: { ...DEFAULT_TRAINING_OPTIONS, models: only } } : {},
    });
  },
  // A run restricted to named models (e.g. the frequent trending refresh) leaves profiles alone.
  profiles: (event) =>
    event.detail?.models?.length && !event.detail.models.some((m) => m.startsWith('profile'))
      ? Promise.resolve({ skipped: 'run restricted to other models' })
      : runProfileRetrain(),
};

export const handler = middy(async (event: ScheduledEvent) => {
  logger.info('retrain started', { reason: event.detail?.reason });
  const results: Record<string, { ok: boolean; result?: unknown; error?: string }> = {};
  for (const [family, step] of Object.entries(families)) {
    try {
      results[family] = { ok: true, result: await step(event) };
    } catch (error) {
      logger.error('retrain failed for a model family', { family, error });
      results[family] = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }
  return results;
}).use(withObservability());
