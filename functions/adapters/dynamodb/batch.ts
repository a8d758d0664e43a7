/** BatchWriteItem with retries of unprocessed items, 25 requests per call. */
import { BatchWriteCommand, type BatchWriteCommandInput, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DependencyError } from '#domain/errors.ts';
import { chunks, documentClient } from './client.ts';

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];

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

/** Every item of a table, a page at a time. */
export async function* scanTable<T>(table: string): AsyncIterable<T[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }),
    );
    startKey = page.LastEvaluatedKey;
    if (page.Items?.length) yield page.Items as T[];
  } while (startKey);
}
