/**
 * A profile read's per-user rows (users table + profiles table) in one BatchGetItem: DynamoDB answers
 * both keys in one round trip, where two GetItems cost two requests on the read path.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { UserAttributes } from '#domain/catalog/types.ts';
import type { ProfileSubject, ProfileSubjectReader } from '#domain/profiles/ports.ts';
import { documentClient } from '#adapters/dynamodb/client.ts';
import { fromProfileRow, type ProfileRow } from './dynamo-profile-store.ts';

export class DynamoProfileSubjects implements ProfileSubjectReader {
  constructor(private readonly tables: { users: string; profiles: string }) {}

  async read(userId: string): Promise<ProfileSubject> {
    const { users, profiles } = this.tables;
    let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
      [users]: { Keys: [{ userId }] },
      [profiles]: { Keys: [{ userId }] },
    };
    const subject: ProfileSubject = { attributes: undefined, stored: undefined };
    // DynamoDB may leave keys unprocessed under throttling; ask again for those until none remain.
    while (request && Object.keys(request).length > 0) {
      const result = await documentClient().send(new BatchGetCommand({ RequestItems: request }));
      const [user] = (result.Responses?.[users] ?? []) as UserAttributes[];
      const [row] = (result.Responses?.[profiles] ?? []) as ProfileRow[];
      if (user) subject.attributes = user;
      if (row) subject.stored = fromProfileRow(row);
      request = result.UnprocessedKeys as typeof request;
    }
    return subject;
  }
}
