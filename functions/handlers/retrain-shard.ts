/**
 * The tasks of the distributed retrain state machine (infra/constructs/retrain-state-machine.ts):
 * the Snapshot, each shard's partial Gram, ALS half-steps and profile steps, and the reduces. One function for all,
 * dispatched on `task`, since they share the code and the models bucket the run's files live in.
 */
import middy from '@middy/core';
import { DynamoEventStore, DynamoItemStore } from '#adapters/dynamodb/catalog-stores.ts';
import { DynamoEventCount } from '#adapters/dynamodb/event-count.ts';
import { DynamoTableExport, ScannedTableExport, tableRows } from '#adapters/dynamodb/event-export.ts';
import { DynamoRecentEvents } from '#adapters/models/dynamo-catalog-reads.ts';
import { modelArtifacts, profileRegistry, recommendationModelRecords } from '#adapters/models/registries.ts';
import { CatalogTrainingSources } from '#adapters/models/training-sources.ts';
import { DynamoProfileHistories } from '#adapters/profiles/dynamo-profile-histories.ts';
import { DynamoProfileStore } from '#adapters/profiles/dynamo-profile-store.ts';
import { liveFlaggedUsers } from '#domain/profiles/shilling/model.ts';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import {
  type DistributedTask,
  type ExecutionEnded,
  releaseEndedRun,
  runDistributedTask,
} from '#domain/recommendations/distributed-run.ts';
import { easeOptionsCappedAt } from '#domain/recommendations/ease.ts';
import { logger, withObservability } from '#edge/observability.ts';
import { bucketNameFromEnv, functionMemoryMb, readSetting, tableNameFromEnv } from '#platform/config.ts';
import type { EXECUTION_STATUS_CHANGE } from '#platform/declaration.ts';

const sources = new CatalogTrainingSources(
  new DynamoEventStore(tableNameFromEnv('events')),
  new DynamoItemStore(tableNameFromEnv('items')),
  new DynamoRecentEvents(tableNameFromEnv('events')),
);
const interactionsPerShard = readSetting('RETRAIN_INTERACTIONS_PER_SHARD');
const flaggedUserWeight = readSetting('SHILLING_DISCOUNT_FACTOR');
/** The users the gate measures (a seeded sample), so the holdout the Reduce reads stays bounded. */
const gateSampleUsers = readSetting('RETRAIN_GATE_SAMPLE_USERS');
/**
 * EASE's and session EASE's modelled items (one set: the single path's cap for both); the Reduce skips
 * them when an inverse would not fit this function's memory.
 */
const easeOptions = easeOptionsCappedAt(readSetting('EASE_MAX_MODELLED_ITEMS'));
const profiles = {
  sampleUsers: readSetting('RETRAIN_PROFILE_SAMPLE_USERS'),
  config: { churnHorizonDays: readSetting('PROFILE_CHURN_HORIZON_DAYS') },
  summaries: new DynamoProfileStore(tableNameFromEnv('profiles')),
  histories: new DynamoProfileHistories(tableNameFromEnv('profileHistory')),
};
// DynamoDB's export in AWS; locally (DynamoDB Local has none) the same files from a parallel scan.
const snapshots = {
  export:
    readSetting('RETRAIN_EXPORT_MODE') === 'dynamodb'
      ? new DynamoTableExport(tableNameFromEnv('events'), bucketNameFromEnv('models'), modelArtifacts())
      : new ScannedTableExport(tableRows(tableNameFromEnv('events')), modelArtifacts()),
  eventCount: new DynamoEventCount(tableNameFromEnv('events')),
  exportAboveEvents: readSetting('RETRAIN_EXPORT_ABOVE_EVENTS'),
};

/** The machine's own tasks, or (rule retrain-execution-ended) the news that an execution ended. */
type RetrainShardEvent = DistributedTask | EventBridgeEvent<typeof EXECUTION_STATUS_CHANGE, ExecutionEnded>;

export const handler = middy(async (event: RetrainShardEvent, context: Context) => {
  if ('detail-type' in event) {
    const released = await releaseEndedRun(recommendationModelRecords(), event.detail, new Date());
    logger.info('retrain execution ended', { status: event.detail.status, ...released });
    return released;
  }
  logger.info('retrain task', { task: event.task, runId: event.runId, shard: event.shard });
  return runDistributedTask(event, {
    store: modelArtifacts(),
    sources,
    records: recommendationModelRecords(),
    snapshot: { interactionsPerShard, ...easeOptions },
    snapshots,
    memoryMb: functionMemoryMb(context),
    gateSampleUsers,
    flaggedUsers: () => liveFlaggedUsers(profileRegistry()),
    flaggedUserWeight,
    profiles: { ...profiles, registry: profileRegistry() },
    log: (message, details) => logger.info(message, { ...details }),
  });
}).use(withObservability());
