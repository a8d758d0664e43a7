/**
 * The tasks of the distributed retrain state machine (infra/constructs/retrain-state-machine.ts):
 * the Snapshot, each shard's partial Gram and ALS half-steps, and the Reduce. One function for all,
 * dispatched on `task`, since they share the code and the models bucket the run's files live in.
 */
import middy from '@middy/core';
import { DynamoEventStore, DynamoItemStore } from '#adapters/dynamodb/catalog-stores.ts';
import { DynamoEventCount } from '#adapters/dynamodb/event-count.ts';
import { DynamoTableExport, ScannedTableExport, tableRows } from '#adapters/dynamodb/event-export.ts';
import { DynamoRecentEvents } from '#adapters/models/dynamo-catalog-reads.ts';
import { modelArtifacts, profileRegistry, recommendationModelRecords } from '#adapters/models/registries.ts';
import { CatalogTrainingSources } from '#adapters/models/training-sources.ts';
import { liveFlaggedUsers } from '#domain/profiles/shilling/model.ts';
import { type DistributedTask, runDistributedTask } from '#domain/recommendations/distributed-run.ts';
import { logger, withObservability } from '#edge/observability.ts';
import { bucketNameFromEnv, readSetting, tableNameFromEnv } from '#platform/config.ts';

const sources = new CatalogTrainingSources(
  new DynamoEventStore(tableNameFromEnv('events')),
  new DynamoItemStore(tableNameFromEnv('items')),
  new DynamoRecentEvents(tableNameFromEnv('events')),
);
const interactionsPerShard = readSetting('RETRAIN_INTERACTIONS_PER_SHARD');
const flaggedUserWeight = readSetting('SHILLING_DISCOUNT_FACTOR');
// DynamoDB's export in AWS; locally (DynamoDB Local has none) the same files from a parallel scan.
const snapshots = {
  export:
    readSetting('RETRAIN_EXPORT_MODE') === 'dynamodb'
      ? new DynamoTableExport(tableNameFromEnv('events'), bucketNameFromEnv('models'), modelArtifacts())
      : new ScannedTableExport(tableRows(tableNameFromEnv('events')), modelArtifacts()),
  eventCount: new DynamoEventCount(tableNameFromEnv('events')),
  exportAboveEvents: readSetting('RETRAIN_EXPORT_ABOVE_EVENTS'),
};

export const handler = middy(async (event: DistributedTask) => {
  logger.info('retrain task', { task: event.task, runId: event.runId, shard: event.shard });
  return runDistributedTask(event, {
    store: modelArtifacts(),
    sources,
    records: recommendationModelRecords(),
    snapshot: { interactionsPerShard },
    snapshots,
    flaggedUsers: () => liveFlaggedUsers(profileRegistry()),
    flaggedUserWeight,
    log: (message, details) => logger.info(message, { ...details }),
  });
}).use(withObservability());
