/**
 * What the profile step of one nightly retrain writes to DynamoDB, measured: two consecutive nights
 * over a log of the scale bench's shape (the first night's data ends a day before the second's), each
 * training, gating and publishing the profile models and then scoring every user and storing the
 * histories through the retrain's own code (scoreProfiles, storeHistories), into in-memory stores
 * that keep rows as DynamoDB would and count them. The second night's writes are the steady state:
 * only what changed since the first (functions/domain/profiles/stored-rows.ts).
 *
 * Row size: a summary's JSON length; a history's compressed body plus its other attributes as JSON,
 * as the adapter stores it (historyRow). DynamoDB bills 1 write unit per KB and half a read unit per
 * 4 KB (eventually consistent).
 */
import { historyRow } from '#adapters/profiles/dynamo-profile-histories.ts';
import type { Item } from '#domain/catalog/types.ts';
import { DAY_MS } from '#domain/profiles/feature-tally.ts';
import { liveProfileModels } from '#domain/profiles/live-scorer.ts';
import type { ProfileHistoryStore, ProfileStore, StoredProfileSummary } from '#domain/profiles/ports.ts';
import { historyCutOf, type ProfileHistory } from '#domain/profiles/profile-history.ts';
import { ProfileRegistry } from '#domain/profiles/registry.ts';
import { publishProfileModels, scoreProfiles, storeHistories } from '#domain/profiles/retrain.ts';
import {
  HISTORY_LIFETIME_DAYS,
  HISTORY_RENEW_DAYS,
  type HistoryStamp,
  historyExpiryOf,
} from '#domain/profiles/stored-rows.ts';
import { trainProfileModels } from '#domain/profiles/train.ts';
import { InMemoryArtifacts, InMemoryModelRecords } from '../test/support/memory-models.ts';
import { median } from './stats.ts';
import { DEFAULT_LOG_SHAPE, skewedEventLog } from './skewed-event-log.ts';

const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
const readUnits = (bytes: number) => 0.5 * Math.max(1, Math.ceil(bytes / 4096));

/** A table of rows keyed by user that counts what is read and written, as DynamoDB would bill it. */
class CountingTable<Row extends { userId: string }> {
  constructor(private readonly sizeOf: (row: Row) => number = (row) => JSON.stringify(row).length) {}
  readonly rows = new Map<string, Row>();
  written = 0;
  writeUnits = 0;
  readUnits = 0;
  writtenBytes: number[] = [];
  put(rows: readonly Row[]) {
    for (const row of rows) {
      const bytes = this.sizeOf(row);
      this.rows.set(row.userId, structuredClone(row));
      this.written++;
      this.writeUnits += writeUnits(bytes);
      this.writtenBytes.push(bytes);
    }
  }
  get(userIds: readonly string[]): Row[] {
    const found: Row[] = [];
    for (const id of userIds) {
      const row = this.rows.get(id);
      if (!row) continue;
      this.readUnits += readUnits(this.sizeOf(row));
      found.push(row);
    }
    return found;
  }
  resetCounts() {
    this.written = 0;
    this.writeUnits = 0;
    this.readUnits = 0;
    this.writtenBytes = [];
  }
}

function summaryStore(table: CountingTable<StoredProfileSummary>): Pick<ProfileStore, 'putAll' | 'getAll'> {
  return {
    putAll: async (rows) => table.put(rows),
    getAll: async (ids) => new Map(table.get(ids).map((row) => [row.userId, row])),
  };
}

function historyStore(
  table: CountingTable<ProfileHistory>,
): Pick<ProfileHistoryStore, 'putAll' | 'stampsOf'> {
  return {
    putAll: async (rows) => table.put(rows),
    stampsOf: async (ids) =>
      new Map(
        table
          .get(ids)
          .map((h): [string, HistoryStamp] => [
            h.userId,
            { cut: h.cut, totalEvents: h.activity.totalEvents, expiresAt: historyExpiryOf(h.cut) },
          ]),
      ),
  };
}

/** A history's size as the adapter stores it: Brotli-compressed JSON beside its stamp and TTL. */
function storedHistoryBytes(history: ProfileHistory): number {
  const row = historyRow(history);
  return row.body.length + JSON.stringify({ ...row, body: '' }).length;
}

export interface ProfileWriteFigures {
  events: number;
  users: number;
  /** Users scored (with enough events for a summary) and summaries written on the second night. */
  summaries: { scored: number; written: number; medianBytes: number };
  /** Users with a history and histories written on the second night. */
  histories: { users: number; written: number; medianBytes: number };
  /** Whether the second night's candidates went live (else it scored with the first night's models). */
  secondNightLive: boolean;
  /**
   * Histories an idle user's renewal adds per night in the steady state (computed: every kept history
   * is rewritten once per HISTORY_LIFETIME_DAYS - HISTORY_RENEW_DAYS days), as a share of users.
   */
  renewalShare: number;
  /** Write units per user of one nightly run: both rows as measured, plus the renewals (computed). */
  writeUnitsPerUser: number;
  /** Read units per user of one nightly run: the stored summary and history read before deciding. */
  readUnitsPerUser: number;
  /** What the first night wrote (every row: nothing was stored), for comparison. */
  firstNightWriteUnitsPerUser: number;
  /** Milliseconds per user of the second night's scoring and history step (in-process, stores in memory). */
  scoringMsPerUser: number;
}

/** Two nights of profile retrains over a skewed log of `events` events; the second night's figures. */
export async function measureProfileWrites(events = 200_000): Promise<ProfileWriteFigures> {
  const log = skewedEventLog({ ...DEFAULT_LOG_SHAPE, events });
  const all = log.userIds.flatMap((_, u) => log.eventsOf(u));
  const items: Item[] = log.catalog;
  const registry = new ProfileRegistry(new InMemoryModelRecords(), new InMemoryArtifacts());
  const summaries = new CountingTable<StoredProfileSummary>();
  const histories = new CountingTable<ProfileHistory>(storedHistoryBytes);
  const noShilling = { answerOf: () => undefined };

  const night = async (now: number) => {
    const seen = all.filter((e) => e.timestamp < now);
    const live = await liveProfileModels(registry);
    const trained = trainProfileModels({ events: seen, items, now, live });
    const published = await publishProfileModels(registry, trained, { trainMs: 0, dataCutoff: now });
    summaries.resetCounts();
    histories.resetCounts();
    const started = performance.now();
    const scored = await scoreProfiles(
      summaryStore(summaries),
      registry,
      [...trained.features.values()],
      noShilling,
    );
    const stored = await storeHistories(historyStore(histories), seen, items, historyCutOf(now), now);
    return { scored, stored, published, ms: performance.now() - started };
  };

  await night(log.now - DAY_MS);
  const firstNightWriteUnitsPerUser = (summaries.writeUnits + histories.writeUnits) / log.userIds.length;
  const second = await night(log.now);
  const users = log.userIds.length;
  const kept = second.stored.users - second.stored.written;
  const renewalShare = kept / users / (HISTORY_LIFETIME_DAYS - HISTORY_RENEW_DAYS);
  const historyUnitsPerRow = histories.writeUnits / Math.max(1, histories.written);
  return {
    events: all.length,
    users,
    summaries: {
      scored: second.scored.scored,
      written: second.scored.written,
      medianBytes: median(summaries.writtenBytes),
    },
    histories: {
      users: second.stored.users,
      written: second.stored.written,
      medianBytes: median(histories.writtenBytes),
    },
    secondNightLive: Object.values(second.published).every((p) => p.status === 'live'),
    renewalShare,
    writeUnitsPerUser:
      (summaries.writeUnits + histories.writeUnits) / users + renewalShare * historyUnitsPerRow,
    readUnitsPerUser: (summaries.readUnits + histories.readUnits) / users,
    firstNightWriteUnitsPerUser,
    scoringMsPerUser: second.ms / users,
  };
}
