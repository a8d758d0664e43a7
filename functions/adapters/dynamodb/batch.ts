/** BatchWriteItem and BatchGetItem over any number of keys, with retries of unprocessed ones. */
import {
  type BatchGetCommandInput,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  paginatedBatchGet,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { DependencyError } from '#domain/errors.ts';
import { chunks, documentClient } from './client.ts';

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];
type KeysAndAttributes = NonNullable<BatchGetCommandInput['RequestItems']>[string];

/** BatchGetItem takes at most this many keys a request. */
const MAX_GET_KEYS = 100;

const MAX_ROUNDS = 8;

/** Writes every request, retrying throttled leftovers with backoff; throws if some never land. */
export async function batchWrite(table: string, requests: WriteRequest[]): Promise<void> {
  await Promise.all(
    chunks(requests, 25).map(async (chunk) => {
      let pending: WriteRequest[] = chunk;
      for (let round = 0; pending.length > 0; round++) {
        if (round === MAX_ROUNDS)
          throw new DependencyError(`${pending.length} writes to ${table} were never processed`);
        if (round > 0) await new Promise((r) => setTimeout(r, 2 ** round * 20));
        const result = await documentClient().send(
          new BatchWriteCommand({ RequestItems: { [table]: pending } }),
        );
        pending = (result.UnprocessedItems?.[table] ?? []) as WriteRequest[];
      }
    }),
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
    'ProjectionExpression' | 'FilterExpression' | 'ExpressionAttributeValues'
  > = {},
): AsyncIterable<T[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({ TableName: table, ...options, ExclusiveStartKey: startKey }),
    );
    startKey = page.LastEvaluatedKey;
    if (page.Items?.length) yield page.Items as T[];
  } while (startKey);
}
