/**
 * A profile read's per-user rows (users, profiles and profileHistory tables) in one BatchGetItem:
 * DynamoDB answers the three keys in one round trip, where GetItems would cost three requests.
 */
import type { UserAttributes } from '#domain/catalog/types.ts';
import type { ProfileSubject, ProfileSubjectReader } from '#domain/profiles/ports.ts';
import { batchGet } from '#adapters/dynamodb/batch.ts';
import { ERASED } from '#adapters/dynamodb/erasure.ts';
import { fromProfileRow, type ProfileRow } from './dynamo-profile-store.ts';
import { historyOfRow, type ProfileHistoryRow } from './dynamo-profile-histories.ts';

export class DynamoProfileSubjects implements ProfileSubjectReader {
  constructor(private readonly tables: { users: string; profiles: string; histories: string }) {}

  async read(userId: string): Promise<ProfileSubject> {
    const { users, profiles, histories } = this.tables;
    const rows = await batchGet({
      [users]: { Keys: [{ userId }] },
      [profiles]: { Keys: [{ userId }] },
      [histories]: { Keys: [{ userId }] },
    });
    // An erasure record is no row at all to a reader.
    const [user] = (rows[users] as UserAttributes[]).filter((r) => !(ERASED in r));
    const [row] = (rows[profiles] as ProfileRow[]).filter((r) => !(ERASED in r));
    const [history] = (rows[histories] as ProfileHistoryRow[]).filter((r) => !(ERASED in r));
    return {
      attributes: user,
      stored: row ? fromProfileRow(row) : undefined,
      history: historyOfRow(history, Date.now()),
    };
  }
}
