/**
 * DynamoDB adapter of the recommendation registry's record port. Layout in the shared `models`
 * table (the profiles registry uses the same layout under its own names):
 *   name = model name, version = '000001'...   one row per version, with figures and gate decision
 *   name = model name, version = 'LIVE'        the live pointer: liveVersion, history, updatedAt, artifactKey
 *   name = 'recommendations-default', version = 'LIVE'   the default personal model (liveVersion = its name)
 *   name = 'recommendations-models-layer', version = 'LIVE'   the models layer version retrain published
 *                                              last (layerVersionArn, artifactKeys, publishedAt)
 *   name = 'retrain-run', version = 'LIVE'     the one-run-at-a-time lease: the run holding or last
 *                                              holding it (runId, reason, startedAt, expiresAt, state)
 *   name = 'retrain-refused', version = 'LIVE' the last run refused because another held the lease
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGet } from '#adapters/dynamodb/batch.ts';
import { documentClient } from '#adapters/dynamodb/client.ts';
import { ConflictError } from '#domain/errors.ts';
import type { ModelsLayerRecords, PublishedModelsLayer } from '#domain/models/models-layer.ts';
import type { RetrainRefusal, RetrainRun, RetrainRunRecords } from '#domain/models/retrain-run.ts';
import type {
  LivePointer,
  ModelRecordStore,
  ModelVersion,
  ServingPointers,
} from '#domain/models/registry.ts';
import { MODEL_NAMES } from '#domain/recommendations/artifact.ts';

const LIVE = 'LIVE';

const toPointer = (row: Record<string, unknown>): LivePointer => ({
  name: String(row.name),
  version: String(row.liveVersion),
  history: (row.history as string[] | undefined) ?? [],
  updatedAt: String(row.updatedAt),
  artifactKey: String(row.artifactKey),
});
const DEFAULT_ROW = 'recommendations-default';
const RUN_ROW = 'retrain-run';
const REFUSED_ROW = 'retrain-refused';
const MODELS_LAYER_ROW = 'recommendations-models-layer';

export class DynamoModelRecords implements ModelRecordStore, ModelsLayerRecords, RetrainRunRecords {
  constructor(
    private readonly table: string,
    /** The model names this registry owns (listing never scans other families' rows). */
    private readonly names: readonly string[] = MODEL_NAMES,
    /** Written on each version row so a console reader can tell the families apart. */
    private readonly family = 'recommendations',
  ) {}

  async putVersion(version: ModelVersion): Promise<void> {
    await documentClient().send(
      new PutCommand({ TableName: this.table, Item: { ...version, family: this.family } }),
    );
  }

  async getVersion(name: string, version: string): Promise<ModelVersion | undefined> {
    const out = await documentClient().send(
      new GetCommand({ TableName: this.table, Key: { name, version } }),
    );
    return out.Item ? toVersion(out.Item) : undefined;
  }

  async listVersions(name?: string): Promise<ModelVersion[]> {
    const names = name === undefined ? this.names : [name];
    const pages = await Promise.all(names.map((n) => this.queryVersions(n)));
    return pages.flat();
  }

  private async queryVersions(name: string): Promise<ModelVersion[]> {
    const out: ModelVersion[] = [];
    const pages = paginateQuery(
      { client: documentClient() },
      {
        TableName: this.table,
        // Version rows only: zero-padded numbers sort below 'LIVE'.
        KeyConditionExpression: '#n = :n AND #v BETWEEN :lo AND :hi',
        ExpressionAttributeNames: { '#n': 'name', '#v': 'version' },
        ExpressionAttributeValues: { ':n': name, ':lo': '000000', ':hi': '999999' },
      },
    );
    for await (const page of pages) out.push(...(page.Items ?? []).map(toVersion));
    return out;
  }

  async getLive(name: string): Promise<LivePointer | undefined> {
    const out = await documentClient().send(
      new GetCommand({ TableName: this.table, Key: { name, version: LIVE }, ConsistentRead: true }),
    );
    return out.Item ? toPointer(out.Item) : undefined;
  }

  /** Every pointer row and the default row in one BatchGetItem (7 rows: one request, not seven). */
  async getServingPointers(names: readonly string[]): Promise<ServingPointers> {
    const keys = [...names, DEFAULT_ROW].map((name) => ({ name, version: LIVE }));
    const rows = (await batchGet({ [this.table]: { Keys: keys, ConsistentRead: true } }))[
      this.table
    ] as Record<string, unknown>[];
    const defaultRow = rows.find((row) => row.name === DEFAULT_ROW);
    return {
      defaultModel: defaultRow?.liveVersion as string | undefined,
      live: rows.filter((row) => row.name !== DEFAULT_ROW).map(toPointer),
    };
  }

  async setLive(pointer: LivePointer, expected: string | undefined): Promise<void> {
    try {
      await documentClient().send(
        new PutCommand({
          TableName: this.table,
          Item: {
            name: pointer.name,
            version: LIVE,
            liveVersion: pointer.version,
            history: pointer.history,
            updatedAt: pointer.updatedAt,
            artifactKey: pointer.artifactKey,
          },
          // Two retrains or a retrain and a rollback racing: the second one fails instead of losing an update.
          ...(expected === undefined
            ? {
                ConditionExpression: 'attribute_not_exists(#v)',
                ExpressionAttributeNames: { '#v': 'version' },
              }
            : {
                ConditionExpression: '#lv = :expected',
                ExpressionAttributeNames: { '#lv': 'liveVersion' },
                ExpressionAttributeValues: { ':expected': expected },
              }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`the live version of '${pointer.name}' changed meanwhile; retry`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async getDefaultModel(): Promise<string | undefined> {
    const out = await documentClient().send(
      new GetCommand({ TableName: this.table, Key: { name: DEFAULT_ROW, version: LIVE } }),
    );
    return out.Item?.liveVersion as string | undefined;
  }

  async setDefaultModel(name: string): Promise<void> {
    await documentClient().send(
      new PutCommand({
        TableName: this.table,
        Item: { name: DEFAULT_ROW, version: LIVE, liveVersion: name, updatedAt: new Date().toISOString() },
      }),
    );
  }

  async getModelsLayer(): Promise<PublishedModelsLayer | undefined> {
    const out = await documentClient().send(
      new GetCommand({
        TableName: this.table,
        Key: { name: MODELS_LAYER_ROW, version: LIVE },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    return {
      layerVersionArn: String(out.Item.layerVersionArn),
      artifactKeys: (out.Item.artifactKeys as string[] | undefined) ?? [],
      publishedAt: String(out.Item.publishedAt),
    };
  }

  async setModelsLayer(layer: PublishedModelsLayer): Promise<void> {
    await documentClient().send(
      new PutCommand({ TableName: this.table, Item: { name: MODELS_LAYER_ROW, version: LIVE, ...layer } }),
    );
  }

  /**
   * A conditional put: only when no run holds the lease, or the holder finished or expired, and the
   * record does not say this very run ended before it took it (`endedBeforeLease`).
   */
  async acquireRun(
    run: RetrainRun,
    now: Date,
  ): Promise<{ acquired: true } | { acquired: false; holder: RetrainRun }> {
    try {
      await documentClient().send(
        new PutCommand({
          TableName: this.table,
          Item: { name: RUN_ROW, version: LIVE, ...run },
          ConditionExpression:
            'attribute_not_exists(#n) OR ((#state <> :running OR #expiresAt < :now) AND (#runId <> :runId OR attribute_not_exists(#ended)))',
          ExpressionAttributeNames: {
            '#n': 'name',
            '#state': 'state',
            '#expiresAt': 'expiresAt',
            '#runId': 'runId',
            '#ended': 'endedBeforeLease',
          },
          ExpressionAttributeValues: {
            ':running': 'running',
            ':now': now.toISOString(),
            ':runId': run.runId,
          },
        }),
      );
      return { acquired: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const holder = (await this.latestRuns()).lastRun;
      // Released between our write and this read: one more try takes it.
      return holder ? { acquired: false, holder } : this.acquireRun(run, now);
    }
  }

  async finishRun(runId: string, state: 'succeeded' | 'failed', finishedAt: Date): Promise<void> {
    try {
      await documentClient().send(
        new UpdateCommand({
          TableName: this.table,
          Key: { name: RUN_ROW, version: LIVE },
          UpdateExpression: 'SET #state = :state, finishedAt = :at',
          // A run whose lease expired and was taken over must not end the next run's lease.
          ConditionExpression: 'runId = :runId',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':state': state, ':at': finishedAt.toISOString(), ':runId': runId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async recordSkipped(runId: string, skipped: Record<string, string>): Promise<void> {
    if (Object.keys(skipped).length === 0) return;
    try {
      await documentClient().send(
        new UpdateCommand({
          TableName: this.table,
          Key: { name: RUN_ROW, version: LIVE },
          UpdateExpression: 'SET skipped = :skipped',
          // Only this run's record: a later run's must not show this run's reasons.
          ConditionExpression: 'runId = :runId',
          ExpressionAttributeValues: { ':skipped': skipped, ':runId': runId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async recordRefusal(refusal: RetrainRefusal): Promise<void> {
    await documentClient().send(
      new PutCommand({ TableName: this.table, Item: { name: REFUSED_ROW, version: LIVE, ...refusal } }),
    );
  }

  async latestRuns(): Promise<{ lastRun?: RetrainRun; lastRefused?: RetrainRefusal }> {
    const keys = [RUN_ROW, REFUSED_ROW].map((name) => ({ name, version: LIVE }));
    const rows = (await batchGet({ [this.table]: { Keys: keys, ConsistentRead: true } }))[
      this.table
    ] as Record<string, unknown>[];
    const strip = (row: Record<string, unknown> | undefined) => {
      if (!row) return undefined;
      const { name: _name, version: _version, ...rest } = row;
      return rest;
    };
    const lastRun = strip(rows.find((row) => row.name === RUN_ROW)) as RetrainRun | undefined;
    const lastRefused = strip(rows.find((row) => row.name === REFUSED_ROW)) as RetrainRefusal | undefined;
    return { ...(lastRun ? { lastRun } : {}), ...(lastRefused ? { lastRefused } : {}) };
  }
}

function toVersion(item: Record<string, unknown>): ModelVersion {
  const { family: _family, ...rest } = item;
  return rest as unknown as ModelVersion;
}
