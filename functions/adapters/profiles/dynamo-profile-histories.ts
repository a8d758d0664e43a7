/** The profileHistory table: one history row per user, replaced when a profile retrain changes it. */
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { ProfileHistoryStore } from '#domain/profiles/ports.ts';
import type { ProfileHistory } from '#domain/profiles/profile-history.ts';
import { type HistoryStamp, historyExpiryOf } from '#domain/profiles/stored-rows.ts';
import { batchGet, batchWrite } from '#adapters/dynamodb/batch.ts';
import { ERASED } from '#adapters/dynamodb/erasure.ts';
import { assertFiniteNumbers } from '#domain/profiles/finite-numbers.ts';

/**
 * A stored row: the history as Brotli-compressed JSON (`body`), beside the stamp a retrain reads
 * (cut, event count) and its TTL (epoch seconds, historyExpiryOf its cut). Compressed because
 * DynamoDB bills a write unit per KB: on the scale bench's log a history's JSON is 2.1 KB on average
 * (2.53 write units) and its Brotli about 0.9 KB, for about 0.1 ms of CPU a row.
 */
export interface ProfileHistoryRow {
  userId: string;
  cut: number;
  totalEvents: number;
  expiresAt: number;
  body: Uint8Array;
}

/** The stored row of a history. */
export function historyRow(history: ProfileHistory): ProfileHistoryRow {
  assertFiniteNumbers(history, 'history', `the profile history of user ${history.userId}`);
  const json = Buffer.from(JSON.stringify(history));
  return {
    userId: history.userId,
    cut: history.cut,
    totalEvents: history.activity.totalEvents,
    expiresAt: Math.floor(historyExpiryOf(history.cut) / 1000),
    body: brotliCompressSync(json, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 6,
        // A 64 KB window: the default 4 MB one costs ~17 ms a row to set up, this ~0.1 ms.
        [constants.BROTLI_PARAM_LGWIN]: 16,
        [constants.BROTLI_PARAM_SIZE_HINT]: json.length,
      },
    }),
  };
}

/** The history of a row still in date at `now` (epoch ms), else undefined. */
export function historyOfRow(row: ProfileHistoryRow | undefined, now: number): ProfileHistory | undefined {
  // A row written before histories were compressed has no body: read as none (the read folds the
  // user's events instead) until the next retrain replaces it, which its missing stamp makes sure of.
  if (!row?.body || row.expiresAt * 1000 <= now) return undefined;
  return JSON.parse(brotliDecompressSync(row.body).toString('utf8')) as ProfileHistory;
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
        ProjectionExpression: 'userId, #cut, totalEvents, expiresAt, #erased',
        ExpressionAttributeNames: { '#cut': 'cut', '#erased': ERASED },
      },
    });
    const stamps = new Map<string, HistoryStamp>();
    for (const row of rows[this.table] as (ProfileHistoryRow & Record<string, unknown>)[]) {
      if (ERASED in row || row.expiresAt * 1000 <= now) continue;
      stamps.set(row.userId, { cut: row.cut, totalEvents: row.totalEvents, expiresAt: row.expiresAt * 1000 });
    }
    return stamps;
  }

  async putAll(histories: ProfileHistory[]): Promise<void> {
    await batchWrite(
      this.table,
      histories.map((history) => ({ PutRequest: { Item: historyRow(history) } })),
    );
  }
}
