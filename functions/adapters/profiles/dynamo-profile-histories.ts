/** The profileHistory table: one history row per user, replaced when a profile retrain changes it. */
import type { ProfileHistoryStore } from '#domain/profiles/ports.ts';
import type { ProfileHistory } from '#domain/profiles/profile-history.ts';
import { type HistoryStamp, historyExpiryOf } from '#domain/profiles/stored-rows.ts';
import { batchGet, batchWrite } from '#adapters/dynamodb/batch.ts';
import { ERASED } from '#adapters/dynamodb/erasure.ts';
import { assertFiniteNumbers } from '#domain/profiles/finite-numbers.ts';

/** A stored row: the history plus its TTL (epoch seconds, historyExpiryOf its cut). */
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

  /**
   * The stamps of the users' rows. BatchGetItem reads whole items (a projection saves bandwidth,
   * not read units): half a unit per eventually consistent row up to 4 KB.
   */
  async stampsOf(userIds: readonly string[]): Promise<Map<string, HistoryStamp>> {
    const now = Date.now();
    const rows = await batchGet({
      [this.table]: {
        Keys: userIds.map((userId) => ({ userId })),
        ProjectionExpression: 'userId, #cut, activity.totalEvents, expiresAt, #erased',
        ExpressionAttributeNames: { '#cut': 'cut', '#erased': ERASED },
      },
    });
    const stamps = new Map<string, HistoryStamp>();
    for (const row of rows[this.table] as (ProfileHistoryRow & Record<string, unknown>)[]) {
      if (ERASED in row || row.expiresAt * 1000 <= now) continue;
      stamps.set(row.userId, {
        cut: row.cut,
        totalEvents: row.activity.totalEvents,
        expiresAt: row.expiresAt * 1000,
      });
    }
    return stamps;
  }

  async putAll(histories: ProfileHistory[]): Promise<void> {
    await batchWrite(
      this.table,
      histories.map((history) => {
        assertFiniteNumbers(history, 'history', `the profile history of user ${history.userId}`);
        return {
          PutRequest: {
            Item: { ...history, expiresAt: Math.floor(historyExpiryOf(history.cut) / 1000) },
          },
        };
      }),
    );
  }
}
