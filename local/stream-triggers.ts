/**
 * The declared stream triggers, run the way a Lambda event source mapping runs them: a poller per
 * trigger reads the table's stream from DynamoDB Local (DescribeStream, GetShardIterator from the
 * trim horizon, GetRecords), drops records the trigger's filter excludes, and invokes the function
 * with batches in the Lambda event shape, shard by shard in order. A batch is retried from the
 * record the function reports as failed (ReportBatchItemFailures), or whole when it throws.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { type StreamTriggerDeclaration, streamTriggers, tables } from '#platform/declaration.ts';
import type { LocalLambdaRuntime } from './lambda-runtime.ts';

/** How long a poller waits when the stream had nothing new (ms): the local delay floor. */
export const IDLE_POLL_MS = 200;
const RETRY_MS = 1_000;
/** GetRecords' largest page. */
const READ_LIMIT = 1_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A stream record as Lambda hands it over (dates as epoch seconds, the source named). */
function toLambdaRecord(record: StreamRecord, streamArn: string): unknown {
  const { ApproximateCreationDateTime, ...dynamodb } = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? 'us-east-1',
    eventSourceARN: streamArn,
    dynamodb: {
      ...dynamodb,
      ...(ApproximateCreationDateTime
        ? { ApproximateCreationDateTime: ApproximateCreationDateTime.getTime() / 1000 }
        : {}),
    },
  };
}

/** Whether the trigger's filter lets a record through (new rows whose `type` it lists). */
const passes = (trigger: StreamTriggerDeclaration, record: StreamRecord): boolean =>
  record.eventName === 'INSERT' && trigger.types.includes(record.dynamodb?.NewImage?.type?.S ?? '');

class StreamPoller {
  /** The last sequence number handled per shard: where the next read starts. */
  private readonly checkpoints = new Map<string, string>();
  private readonly finished = new Set<string>();
  private cycles = 0;
  /** The number of the last cycle that found nothing new (caught up with the stream). */
  private lastIdleCycle = -1;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly trigger: StreamTriggerDeclaration,
    private readonly tableName: string,
    private readonly dynamodb: DynamoDBClient,
    private readonly streams: DynamoDBStreamsClient,
    private readonly runtime: LocalLambdaRuntime,
    private readonly log: (line: string) => void,
  ) {
    this.loop = this.run();
  }

  /** Resolves once a poll cycle that began after the call found nothing new: every earlier record was delivered. */
  async settle(): Promise<void> {
    const after = this.cycles;
    // The cycle running at the call may have read before the write: wait for one that began after it.
    while (this.lastIdleCycle <= after + 1 && !this.stopped) await sleep(20);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let delivered = 0;
      try {
        delivered = await this.cycle();
      } catch (error) {
        this.log(`stream trigger ${this.trigger.function}: ${(error as Error).message}; retrying`);
        delivered = -1;
        await sleep(RETRY_MS);
      }
      this.cycles++;
      if (delivered === 0) this.lastIdleCycle = this.cycles;
      if (delivered === 0 && !this.stopped) await sleep(IDLE_POLL_MS);
    }
  }

  /** One pass over every shard; returns how many records it read. */
  private async cycle(): Promise<number> {
    const table = await this.dynamodb.send(new DescribeTableCommand({ TableName: this.tableName }));
    const streamArn = table.Table?.LatestStreamArn;
    if (!streamArn) return 0;
    let read = 0;
    for (const shard of await this.shards(streamArn)) {
      if (this.stopped) break;
      read += await this.readShard(streamArn, shard);
    }
    return read;
  }

  private async shards(streamArn: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const page = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }),
      );
      shards.push(...(page.StreamDescription?.Shards ?? []));
      start = page.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    // Parents before children: a key's records move to the child only after the parent closes.
    return shards.filter((shard) => !this.finished.has(shard.ShardId ?? ''));
  }

  /**
   * Reads the next batch of a shard from a fresh iterator after its checkpoint (DynamoDB Local
   * refuses an iterator taken on a then-empty shard once records arrive, so none is kept).
   */
  private async readShard(streamArn: string, shard: Shard): Promise<number> {
    const shardId = shard.ShardId ?? '';
    const checkpoint = this.checkpoints.get(shardId);
    const { ShardIterator } = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(checkpoint
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: checkpoint }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    if (!ShardIterator) return 0;
    // Pages as large as GetRecords allows; the function gets batches of the records the filter passes.
    const page = await this.streams.send(new GetRecordsCommand({ ShardIterator, Limit: READ_LIMIT }));
    const records = page.Records ?? [];
    const passing = records
      .filter((record) => passes(this.trigger, record))
      .map((r) => toLambdaRecord(r, streamArn));
    for (let i = 0; i < passing.length; i += this.trigger.batchSize)
      await this.deliver(passing.slice(i, i + this.trigger.batchSize));
    // Advanced only once the batch was handled: a failure re-reads it.
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last) this.checkpoints.set(shardId, last);
    if (!page.NextShardIterator && records.length === 0) this.finished.add(shardId);
    return records.length;
  }

  /** Invokes until the function accepts every record, retrying from the first it reports failed. */
  private async deliver(records: unknown[]): Promise<void> {
    let pending = records;
    while (pending.length > 0 && !this.stopped) {
      let failedAt = -1;
      try {
        const answer = (await this.runtime.invoke(this.trigger.function, { Records: pending })) as
          | DynamoDBBatchResponse
          | undefined;
        const failed = answer?.batchItemFailures?.[0]?.itemIdentifier;
        failedAt = failed
          ? pending.findIndex(
              (r) => (r as { dynamodb: { SequenceNumber?: string } }).dynamodb.SequenceNumber === failed,
            )
          : -1;
        if (failed && failedAt < 0) failedAt = 0;
      } catch (error) {
        this.log(
          `${this.trigger.function} failed on a stream batch: ${(error as Error).message}; retrying it`,
        );
        failedAt = 0;
      }
      if (failedAt < 0) return;
      pending = pending.slice(failedAt);
      await sleep(RETRY_MS);
    }
  }
}

export interface LocalStreamTriggers {
  /** Waits until every record written before the call has been delivered. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a poller for every declared stream trigger. */
export function startStreamTriggers(options: {
  dynamodbEndpoint: string;
  names: Record<string, string>;
  runtime: LocalLambdaRuntime;
  log: (line: string) => void;
}): LocalStreamTriggers {
  const config = {
    endpoint: options.dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const dynamodb = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const pollers = streamTriggers.map(
    (trigger) =>
      new StreamPoller(
        trigger,
        options.names[tables[trigger.table].env],
        dynamodb,
        streams,
        options.runtime,
        options.log,
      ),
  );
  return {
    settle: async () => {
      await Promise.all(pollers.map((poller) => poller.settle()));
    },
    stop: async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
      dynamodb.destroy();
      streams.destroy();
    },
  };
}
