/**
 * The tasks of the distributed retrain state machine (infra/constructs/retrain-state-machine.ts):
 * the Snapshot, each shard's partial Gram and ALS half-steps, and the Reduce. One function for all,
 * dispatched on `task`, since they share the code and the models bucket the run's files live in.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DynamoEventStore, DynamoItemStore } from '#adapters/dynamodb/catalog-stores.ts';
import { DynamoRecentEvents } from '#adapters/models/dynamo-catalog-reads.ts';
import { modelArtifacts, profileRegistry, recommendationModelRecords } from '#adapters/models/registries.ts';
import { CatalogTrainingSources } from '#adapters/models/training-sources.ts';
import { liveFlaggedUsers } from '#domain/profiles/shilling/model.ts';
import { type DistributedTask, runDistributedTask } from '#domain/recommendations/distributed-run.ts';
import { DEFAULT_EASE_OPTIONS } from '#domain/recommendations/ease.ts';
import { logger, withObservability } from '#edge/observability.ts';
import { functionMemoryMb, readSetting, tableNameFromEnv } from '#platform/config.ts';

const sources = new CatalogTrainingSources(
  new DynamoEventStore(tableNameFromEnv('events')),
  new DynamoItemStore(tableNameFromEnv('items')),
  new DynamoRecentEvents(tableNameFromEnv('events')),
);
const interactionsPerShard = readSetting('RETRAIN_INTERACTIONS_PER_SHARD');
const flaggedUserWeight = readSetting('SHILLING_DISCOUNT_FACTOR');
/** EASE's modelled items; the Reduce skips EASE when its inverse would not fit this function's memory. */
const ease = { ...DEFAULT_EASE_OPTIONS, maxItems: readSetting('EASE_MAX_MODELLED_ITEMS') };

export const handler = middy(async (event: DistributedTask, context: Context) => {
  logger.info('retrain task', { task: event.task, runId: event.runId, shard: event.shard });
  return runDistributedTask(event, {
    store: modelArtifacts(),
    sources,
    records: recommendationModelRecords(),
    snapshot: { interactionsPerShard, ease },
    memoryMb: functionMemoryMb(context),
    flaggedUsers: () => liveFlaggedUsers(profileRegistry()),
    flaggedUserWeight,
    log: (message, details) => logger.info(message, { ...details }),
  });
}).use(withObservability());
