import { describe, expect, it } from 'vitest';
import {
  historyOfRow,
  historyRow,
  type ProfileHistoryRow,
} from '#adapters/profiles/dynamo-profile-histories.ts';
import type { SegmentModelMetadata } from '#domain/profiles/model-artifacts.ts';
import type { StoredProfileSummary } from '#domain/profiles/ports.ts';
import { historyOf } from '#domain/profiles/profile-history.ts';
import { carrySegmentIds } from '#domain/profiles/segment-identity.ts';
import {
  HISTORY_RENEW_DAYS,
  historyExpiryOf,
  historyIsCurrent,
  summaryChanged,
} from '#domain/profiles/stored-rows.ts';
import type { InteractionEvent } from '#domain/catalog/types.ts';

const DAY = 86_400_000;
const CUT = 20_000 * DAY;
const event = (i: number, timestamp: number): InteractionEvent => ({
  eventId: `e${i}`,
  userId: 'u1',
  itemId: `i${i % 3}`,
  type: 'view',
  timestamp,
});

describe('historyIsCurrent: which stored histories a retrain rewrites', () => {
  const events = [event(1, CUT - 5 * DAY), event(2, CUT - 3 * DAY), event(3, CUT - 2 * DAY)];
  const stored = historyOf('u1', events, new Map(), CUT - DAY);
  const stamp = {
    cut: stored.cut,
    totalEvents: stored.activity.totalEvents,
    expiresAt: historyExpiryOf(stored.cut),
  };

  it('keeps a history whose user had no event since its cut', () => {
    expect(historyIsCurrent(stamp, historyOf('u1', events, new Map(), CUT), CUT)).toBe(true);
  });

  it('rewrites it after a new event, a backfilled one, near expiry, or when none is stored', () => {
    const newer = [...events, event(4, CUT - DAY / 2)];
    expect(historyIsCurrent(stamp, historyOf('u1', newer, new Map(), CUT), CUT)).toBe(false);
    const backfilled = [event(0, CUT - 30 * DAY), ...events];
    expect(historyIsCurrent(stamp, historyOf('u1', backfilled, new Map(), CUT), CUT)).toBe(false);
    const next = historyOf('u1', events, new Map(), CUT);
    expect(historyIsCurrent(undefined, next, CUT)).toBe(false);
    const late = stamp.expiresAt - HISTORY_RENEW_DAYS * DAY;
    expect(historyIsCurrent(stamp, next, late - 1)).toBe(true);
    expect(historyIsCurrent(stamp, next, late)).toBe(false);
  });
});

describe('summaryChanged', () => {
  const base: StoredProfileSummary = {
    userId: 'u1',
    segmentId: 'seg-1',
    segmentLabel: 'evening fans',
    anomalyScore: 0.4,
    flagged: false,
    churnProbability: 0.3,
    lowConfidence: false,
    shilling: { flagged: false, score: 0.1, modelVersion: '000001' },
    scoredAt: '2026-12-01T00:00:00.000Z',
    modelVersions: { segments: '000001', anomaly: '000001', churn: '000001' },
  };
  const rescored: StoredProfileSummary = {
    ...base,
    anomalyScore: 0.43,
    churnProbability: 0.35,
    shilling: { flagged: false, score: 0.11, modelVersion: '000002' },
    scoredAt: '2026-12-02T00:00:00.000Z',
    modelVersions: { segments: '000002', anomaly: '000002', churn: '000001' },
  };

  it('a retrain keeps a row whose answers moved within tolerance under new versions; a read refreshes it', () => {
    expect(summaryChanged(base, rescored, { versionsMatter: false })).toBe(false);
    expect(summaryChanged(base, rescored, { versionsMatter: true })).toBe(true);
  });

  it('rewrites a new segment, a flag, a score past its tolerance, a shilling verdict, or a missing row', () => {
    const options = { versionsMatter: false };
    expect(summaryChanged(base, { ...rescored, segmentId: 'seg-2' }, options)).toBe(true);
    expect(summaryChanged(base, { ...rescored, flagged: true }, options)).toBe(true);
    expect(summaryChanged(base, { ...rescored, anomalyScore: 0.46 }, options)).toBe(true);
    expect(summaryChanged(base, { ...rescored, churnProbability: 0.41 }, options)).toBe(true);
    expect(
      summaryChanged(
        base,
        { ...rescored, shilling: { flagged: true, score: 0.9, modelVersion: '000002' } },
        options,
      ),
    ).toBe(true);
    expect(summaryChanged(undefined, rescored, options)).toBe(true);
  });
});

describe('carrySegmentIds', () => {
  const model = (centroids: number[][], columns = ['a', 'b']): SegmentModelMetadata => ({
    name: 'profile-segments',
    columns,
    genres: [],
    mean: columns.map(() => 0),
    scale: columns.map(() => 1),
    centroids,
    segments: centroids.map((_, c) => ({
      segmentId: `seg-${c}`,
      label: `segment ${c}`,
      size: 1,
      share: 0,
      traits: {} as SegmentModelMetadata['segments'][number]['traits'],
    })),
    asOf: 0,
  });
  const previous = model([
    [0, 0],
    [5, 5],
    [10, 0],
  ]);

  it('gives each cluster the id of the nearest previous one, whatever order k-means found them in', () => {
    const next = model([
      [10.2, 0.1],
      [0.1, -0.2],
      [4.8, 5.3],
    ]);
    expect(carrySegmentIds(next, previous).segments.map((s) => s.segmentId)).toEqual([
      'seg-2',
      'seg-0',
      'seg-1',
    ]);
  });

  it('gives a cluster far from every previous one an id neither version used, and matches on shared columns', () => {
    const next = model(
      [
        [0, 0.1, 7],
        [20, 20, 7],
        [5, 5, 7],
      ],
      ['a', 'b', 'c'],
    );
    expect(carrySegmentIds(next, previous).segments.map((s) => s.segmentId)).toEqual([
      'seg-0',
      'seg-3',
      'seg-1',
    ]);
  });

  it('leaves the ids alone without a previous version', () => {
    const next = model([[1, 1]]);
    expect(carrySegmentIds(next, undefined)).toBe(next);
  });
});

describe('the stored history row', () => {
  const events = [event(1, CUT - 5 * DAY), event(2, CUT - 3 * DAY)];
  const history = historyOf('u1', events, new Map(), CUT);

  it('round-trips a history through its compressed body, with the stamp beside it', () => {
    const row = historyRow(history);
    expect(row).toMatchObject({ userId: 'u1', cut: CUT, totalEvents: 2 });
    expect(row.body.length).toBeLessThan(JSON.stringify(history).length);
    expect(historyOfRow(row, CUT)).toEqual(history);
    expect(historyOfRow(row, historyExpiryOf(CUT))).toBeUndefined();
  });

  it('reads a row of the uncompressed format as no history rather than failing', () => {
    const legacy = { ...history, expiresAt: historyExpiryOf(CUT) / 1000 } as unknown as ProfileHistoryRow;
    expect(historyOfRow(legacy, CUT)).toBeUndefined();
  });
});
