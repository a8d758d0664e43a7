/** BatchWriteItem and BatchGetItem over any number of keys, with retries of unprocessed ones. */
import {
  type BatchGetCommandInput,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  paginatedBatchGet,
  paginateScan,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { DependencyError } from '#domain/errors.ts';
import { chunks, documentClient } from './client.ts';

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];
type KeysAndAttributes = NonNullable<BatchGetCommandInput['RequestItems']>[string];

/** BatchGetItem takes at most this many keys a request. */
const MAX_GET_KEYS = 100;

/** The longest pause between two retries of unprocessed writes, ms. */
const MAX_PAUSE_MS = 5_000;

export interface BatchWriteOptions {
  /**
   * How long unprocessed writes are retried before giving up, ms. Bulk loads (seeding, import,
   * retrain) wait long; the default suits a busy machine's DynamoDB Local and AWS throttling alike.
   */
  patienceMs?: number;
  /** Called with the number of writes each chunk landed (progress of a bulk load). */
  onWritten?: (count: number) => void;
}

/**
 * Writes every request in chunks of 25, retrying what DynamoDB leaves unprocessed with exponential
 * backoff and full jitter (so many writers do not retry in step); throws DependencyError naming how
 * many writes never landed once `patienceMs` has passed. Not atomic: use a transaction for that.
 */
export async function batchWrite(
  table: string,
  requests: WriteRequest[],
  options: BatchWriteOptions = {},
): Promise<void> {
  const deadline = Date.now() + (options.patienceMs ?? 60_000);
  let failed = 0;
  await Promise.all(
    chunks(requests, 25).map(async (chunk) => {
      let pending: WriteRequest[] = chunk;
      for (let round = 0; pending.length > 0; round++) {
        if (round > 0) {
          if (Date.now() >= deadline) {
            failed += pending.length;
            return;
          }
          const ceiling = Math.min(MAX_PAUSE_MS, 50 * 2 ** round);
          await new Promise((r) => setTimeout(r, Math.random() * ceiling));
        }
        const result = await documentClient().send(
          new BatchWriteCommand({ RequestItems: { [table]: pending } }),
        );
        const left = (result.UnprocessedItems?.[table] ?? []) as WriteRequest[];
        options.onWritten?.(pending.length - left.length);
        pending = left;
      }
    }),
  );
  if (failed > 0)
    throw new DependencyError(
      `${failed} of ${requests.length} writes to ${table} were not processed in time`,
    );
}

/**
 * The rows found for every table's keys (missing keys are simply absent). Tables share a request
 * while their keys fit in one (so two single-key reads cost one round trip); keys DynamoDB leaves
 * unprocessed are asked for again by the SDK's paginatedBatchGet.
 */
export async function batchGet(
  requests: Record<string, KeysAndAttributes>,
): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  const batches: Record<string, KeysAndAttributes>[] = [];
  let batch: Record<string, KeysAndAttributes> = {};
  let size = 0;
  for (const [table, request] of Object.entries(requests)) {
    rows[table] = [];
    for (const keys of chunks(request.Keys ?? [], MAX_GET_KEYS)) {
      if (size + keys.length > MAX_GET_KEYS) {
        batches.push(batch);
        batch = {};
        size = 0;
      }
      batch[table] = { ...request, Keys: [...(batch[table]?.Keys ?? []), ...keys] };
      size += keys.length;
    }
  }
  if (size > 0) batches.push(batch);
  await Promise.all(
    batches.map(async (RequestItems) => {
      for await (const page of paginatedBatchGet({ client: documentClient() }, { RequestItems })) {
        for (const [table, items] of Object.entries(page.Responses ?? {})) rows[table].push(...items);
      }
    }),
  );
  return rows;
}

/** Every item of a table (those `options` filter in, with the attributes it projects), a page at a time. */
export async function* scanTable<T>(
  table: string,
  options: Pick<
    ScanCommandInput,
    | 'ProjectionExpression'
    | 'FilterExpression'
    | 'ExpressionAttributeValues'
    | 'Limit'
    | 'Segment'
    | 'TotalSegments'
  > = {},
): AsyncIterable<T[]> {
  for await (const page of paginateScan({ client: documentClient() }, { TableName: table, ...options }))
    if (page.Items?.length) yield page.Items as T[];
}
