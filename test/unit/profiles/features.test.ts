import { describe, expect, it } from 'vitest';
import type { EventType, InteractionEvent, Item } from '#domain/catalog/types.ts';
import { spendTierOf } from '#domain/profiles/feature-tally.ts';
import { buildAllProfileFeatures, buildProfileFeatures } from '#domain/profiles/features.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Saturday 2026-09-05T00:00:00Z
const SATURDAY = Date.UTC(2026, 8, 5);

const items = new Map<string, Item>([
  [
    'horror-1',
    { itemId: 'horror-1', title: 'Night', genres: ['Horror'], tags: ['zombies'], durationSec: 5400 },
  ],
  [
    'horror-2',
    {
      itemId: 'horror-2',
      title: 'Night II',
      genres: ['Horror', 'Thriller'],
      tags: ['zombies'],
      durationSec: 6000,
    },
  ],
  [
    'comedy-1',
    { itemId: 'comedy-1', title: 'Laughs', genres: ['Comedy'], tags: ['slapstick'], durationSec: 3600 },
  ],
]);

let counter = 0;
function event(itemId: string, type: EventType, timestamp: number, value?: number): InteractionEvent {
  counter++;
  return {
    eventId: `e${counter}`,
    userId: 'u1',
    itemId,
    type,
    timestamp,
    ...(value !== undefined ? { value } : {}),
  };
}

describe('buildProfileFeatures', () => {
  // Prepare: a late-night horror watcher over two days, one comedy skip, one purchase.
  const events: InteractionEvent[] = [
    event('horror-1', 'view', SATURDAY + 23 * HOUR),
    event('horror-1', 'play', SATURDAY + 23 * HOUR + 60_000, 5400),
    event('horror-1', 'complete', SATURDAY + 23 * HOUR + 60_000 + 5400_000, 5400),
    event('horror-1', 'like', SATURDAY + 23 * HOUR + 120_000 + 5400_000),
    event('comedy-1', 'view', SATURDAY + DAY + 22 * HOUR),
    event('comedy-1', 'skip', SATURDAY + DAY + 22 * HOUR + 30_000),
    event('horror-2', 'view', SATURDAY + DAY + 22 * HOUR + 60_000),
    event('horror-2', 'purchase', SATURDAY + DAY + 22 * HOUR + 70_000, 1499),
    event('horror-2', 'play', SATURDAY + DAY + 22 * HOUR + 90_000, 3000),
  ];
  const asOf = SATURDAY + 4 * DAY;
  const f = buildProfileFeatures('u1', [...events].reverse(), items, asOf);

  it('counts events by type, play and completion time, and purchases', () => {
    expect(f.activity.totalEvents).toBe(9);
    expect(f.activity.eventCounts.view).toBe(3);
    expect(f.activity.eventCounts.play).toBe(2);
    expect(f.activity.playSeconds).toBe(8400);
    expect(f.activity.completedSeconds).toBe(5400);
    expect(f.activity.completionRate).toBe(0.5);
    expect(f.spend).toEqual({ purchases: 1, totalMinor: 1499, tier: 'medium' });
  });

  it('measures active days, recency and sessions, treating time spent watching as not idle', () => {
    // Saturday 23:00 runs past midnight, so Sunday's late-night viewing is the same second day.
    expect(f.activity.activeDays).toBe(2);
    expect(f.activity.sessions).toBe(2);
    expect(f.activity.recencyDays).toBeCloseTo((asOf - events[8].timestamp) / DAY, 6);
    expect(f.activity.distinctItems).toBe(3);
  });

  it('ranks horror above comedy in interests and reports late-night weekend rhythm', () => {
    expect(f.interests.genres[0].name).toBe('Horror');
    expect(f.interests.genres.find((g) => g.name === 'Comedy')).toBeUndefined();
    expect(f.interests.genres.reduce((s, g) => s + g.weight, 0)).toBeCloseTo(1, 9);
    expect(f.interests.topItemIds[0]).toBe('horror-1');
    expect(f.interests.themes).toContain('Horror');
    expect(f.rhythm.lateNightShare).toBeGreaterThan(0.8);
    expect(f.rhythm.weekendShare).toBe(1);
    expect(f.rhythm.preferredDays).toContain('Sunday');
  });

  it('ignores events at or after asOf', () => {
    const early = buildProfileFeatures('u1', events, items, SATURDAY + DAY);
    expect(early.activity.totalEvents).toBe(2);
  });

  it('flags watch time reported faster than the clock allows', () => {
    const bot = Array.from({ length: 50 }, (_, i) => event('horror-1', 'play', SATURDAY + i * 10_000, 5400));
    const features = buildProfileFeatures('u1', bot, items, SATURDAY + DAY);
    expect(features.intensity.impossibleWatchShare).toBeGreaterThan(0.95);
    expect(f.intensity.impossibleWatchShare).toBe(0);
    expect(features.intensity.maxEventsPerHour).toBe(50);
  });

  it('answers an empty history with zeros and nulls rather than failing', () => {
    const empty = buildProfileFeatures('nobody', [], items, asOf);
    expect(empty.activity.totalEvents).toBe(0);
    expect(empty.activity.recencyDays).toBeNull();
    expect(empty.interests.genres).toEqual([]);
    expect(empty.rhythm.hourShares.every((s) => s === 0)).toBe(true);
  });

  it('builds the same features per user when given everyone at once', () => {
    const other = { ...events[0], eventId: 'x', userId: 'u2' };
    const all = buildAllProfileFeatures([...events, other], items, asOf);
    expect(all.get('u1')).toEqual(f);
    expect(all.get('u2')?.activity.totalEvents).toBe(1);
  });
});

describe('spendTierOf', () => {
  it('maps totals in minor units to tiers', () => {
    expect([0, 500, 1500, 5000].map(spendTierOf)).toEqual(['none', 'low', 'medium', 'high']);
  });
});

describe('impressions in a profile', () => {
  it("leave activity, sessions and the hourly burst as the user's own events made them", () => {
    // Prepare: two plays a day apart; then, the next day, 30 impressions (three lists) in one minute.
    const own = [event('horror-1', 'play', SATURDAY, 600), event('horror-2', 'play', SATURDAY + DAY, 600)];
    const shown = Array.from({ length: 30 }, (_, n) =>
      event(n % 2 ? 'comedy-1' : 'horror-1', 'impression', SATURDAY + 2 * DAY + n * 1000),
    );
    const asOf = SATURDAY + 3 * DAY;

    // Act
    const alone = buildProfileFeatures('u1', own, items, asOf);
    const withImpressions = buildProfileFeatures('u1', [...own, ...shown], items, asOf);

    // Assess
    expect(withImpressions.activity).toEqual(alone.activity);
    expect(withImpressions.intensity).toEqual(alone.intensity);
    expect(withImpressions.rhythm).toEqual(alone.rhythm);
  });
});
