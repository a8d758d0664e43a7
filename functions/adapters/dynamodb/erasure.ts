/**
 * Erasure records. Erasing a user replaces their row (users, profiles) with a record holding only
 * the id and `erasedAt`; every write of user data is conditional on that attribute being absent,
 * so nothing about an erased user is stored again, whoever writes and whenever.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { UserDataEraser } from '#domain/catalog/ports.ts';
import { batchGet } from './batch.ts';
import { documentClient } from './client.ts';

/** The attribute that marks an erased user's row. */
export const ERASED = 'erasedAt';

/** The condition every write of a user's row carries. */
export const NOT_ERASED = `attribute_not_exists(${ERASED})`;

/** The ids among `userIds` whose row in `table` is an erasure record (read consistently). */
export async function erasedAmong(table: string, userIds: string[]): Promise<Set<string>> {
  const keys = [...new Set(userIds)].map((userId) => ({ userId }));
  if (keys.length === 0) return new Set();
  const rows = (
    await batchGet({
      [table]: { Keys: keys, ConsistentRead: true, ProjectionExpression: `userId, ${ERASED}` },
    })
  )[table] as { userId: string; erasedAt?: string }[];
  return new Set(rows.filter((row) => row.erasedAt !== undefined).map((row) => row.userId));
}

/** Replaces a user's row in a table keyed by userId alone with an erasure record. */
export async function writeErasureRecord(table: string, userId: string, at: string): Promise<void> {
  await documentClient().send(new PutCommand({ TableName: table, Item: { userId, [ERASED]: at } }));
}

/** Forgets a user in a table keyed by userId alone (profiles), leaving the erasure record. */
export class DynamoKeyEraser implements UserDataEraser {
  constructor(
    private readonly table: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async eraseUser(userId: string): Promise<void> {
    await writeErasureRecord(this.table, userId, new Date(this.clock()).toISOString());
  }
}
