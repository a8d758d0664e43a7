/** The profileHistory table: one history row per user, replaced by each profile retrain. */
import type { ProfileHistoryStore } from '#domain/profiles/ports.ts';
import type { ProfileHistory } from '#domain/profiles/profile-history.ts';
import { batchWrite } from '#adapters/dynamodb/batch.ts';
import { assertFiniteNumbers } from '#domain/profiles/finite-numbers.ts';

/**
 * A history expires this long after its cut (DynamoDB TTL; readers also ignore an expired one): the
 * nightly retrain replaces it long before, and a user with no events left stops being summarised.
 */
export const HISTORY_TTL_DAYS = 3;

/** A stored row: the history plus its TTL (epoch seconds). */
export interface ProfileHistoryRow extends ProfileHistory {
  expiresAt: number;
}

/** The history of a row still in date at `now` (epoch ms), else undefined. */
export function historyOfRow(row: ProfileHistoryRow | undefined, now: number): ProfileHistory | undefined {
  if (!row || row.expiresAt * 1000 <= now) return undefined;
  const { expiresAt: _ttl, ...history } = row;
  return history;
}

export class DynamoProfileHistories implements ProfileHistoryStore {
  constructor(private readonly table: string) {}

  async putAll(histories: ProfileHistory[]): Promise<void> {
    await batchWrite(
      this.table,
      histories.map((history) => {
        assertFiniteNumbers(history, 'history', `the profile history of user ${history.userId}`);
        return {
          PutRequest: {
            Item: { ...history, expiresAt: Math.floor(history.cut / 1000) + HISTORY_TTL_DAYS * 86_400 },
          },
        };
      }),
    );
  }
}
