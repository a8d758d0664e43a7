import { describe, expect, it } from 'vitest';
import type { InteractionEvent } from '#domain/catalog/types.ts';
import { generateDemoData } from '#domain/demo/generate.ts';
import { featuresOfSorted, groupEventsByUser, upperBound } from '#domain/profiles/features.ts';
import {
  featuresFromHistory,
  historiesAt,
  historyCutOf,
  historyOf,
  NEGLIGIBLE_INTEREST,
  RECENT_WINDOW_MS,
} from '#domain/profiles/profile-history.ts';
import { nonFiniteNumberPaths } from '#domain/profiles/finite-numbers.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 9, 1, 15, 30);

/** Walks two values and collects every path where they differ (numbers by relative 1e-9). */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a === 'number' && typeof b === 'number') {
    const close = a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
    return close ? [] : [`${path}: ${a} != ${b}`];
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) =>
      differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`),
    );
  }
  return a === b ? [] : [`${path}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`];
}

describe('profile histories', () => {
  // Prepare: a generated audience (bots included) and a cut three days before "now".
  const data = generateDemoData({ seed: 11, items: 150, users: 120, days: 60, now: NOW, botShare: 0.05 });
  const itemsById = new Map(data.items.map((i) => [i.itemId, i]));
  const byUser = groupEventsByUser(data.events.filter((e) => e.timestamp < NOW));
  const cut = historyCutOf(NOW - 3 * DAY);
  const histories = new Map([...historiesAt(byUser, itemsById, cut)].map((h) => [h.userId, h]));

  it('cuts at the start of a UTC day', () => {
    expect(cut % DAY).toBe(0);
    expect(cut).toBeLessThanOrEqual(NOW - 3 * DAY);
    expect(NOW - 3 * DAY - cut).toBeLessThan(DAY);
  });

  it('gives every user the features of their whole history from the history plus the events of the last 28 days', () => {
    let compared = 0;
    for (const [userId, events] of byUser) {
      const whole = featuresOfSorted(userId, events, itemsById, NOW);
      // Act: only what a profile read fetches, the events since the cut or in the recent window.
      const read = events.slice(upperBound(events, Math.min(cut, NOW - RECENT_WINDOW_MS)));
      const continued = featuresFromHistory(userId, histories.get(userId), read, itemsById, NOW);
      // Assess
      expect(differences(continued, whole), userId).toEqual([]);
      compared++;
    }
    expect(compared).toBe(byUser.size);
    // The comparison covered long histories, where the read leaves most events out.
    const longest = Math.max(...[...byUser.values()].map((e) => e.length));
    expect(longest).toBeGreaterThan(500);
  });

  it('reads far fewer events than the history holds for an old, active user', () => {
    const [userId, events] = [...byUser].sort((a, b) => b[1].length - a[1].length)[0];
    const read = events.slice(upperBound(events, Math.min(cut, NOW - RECENT_WINDOW_MS)));
    expect(read.length).toBeLessThan(events.length * 0.7);
    expect(
      featuresFromHistory(userId, histories.get(userId), read, itemsById, NOW).activity.totalEvents,
    ).toBe(events.length);
  });

  it('counts a returning item once and a new one as new after the cut', () => {
    const day0 = historyCutOf(NOW) - 10 * DAY;
    const rate = (itemId: string, timestamp: number): InteractionEvent => ({
      eventId: `${itemId}-${timestamp}`,
      userId: 'u',
      itemId,
      type: 'play',
      value: 60,
      timestamp,
    });
    const before = [rate('a', day0), rate('b', day0 + 60_000)];
    const history = historyOf('u', before, itemsById, day0 + DAY);
    const after = [rate('a', day0 + 2 * DAY), rate('c', day0 + 2 * DAY + 60_000)];
    const features = featuresFromHistory('u', history, after, itemsById, NOW);
    // a, b before the cut; a again and c after: three distinct items, two active days, four events.
    expect(features.activity.distinctItems).toBe(3);
    expect(features.activity.activeDays).toBe(2);
    expect(features.activity.totalEvents).toBe(4);
  });

  it('holds no item, genre or tag more than its bounds allow, whatever the history', () => {
    const sizes = [...histories.values()].map((h) => JSON.stringify(h).length);
    expect(Math.max(...sizes)).toBeLessThan(100_000);
    for (const h of histories.values())
      expect(Object.keys(h.interests.topItems).length).toBeLessThanOrEqual(50);
  });

  it('stores only numbers DynamoDB accepts: interests that decayed for decades are dropped, recent ones kept', () => {
    // Prepare: one user with a burst of plays 30 years before the cut (MovieLens' 1996 ratings are
    // 30 years old today), another with the same plays a week before it.
    const [oldItem, newItem] = data.items;
    const plays = (userId: string, itemId: string, at: number): InteractionEvent[] =>
      Array.from({ length: 5 }, (_, k) => ({
        eventId: `${userId}-${k}`,
        userId,
        itemId,
        type: 'play',
        timestamp: at + k * 60_000,
      }));
    const dormant = historyOf(
      'dormant',
      plays('dormant', oldItem.itemId, cut - 30 * 365 * DAY),
      itemsById,
      cut,
    );
    const recent = historyOf('recent', plays('recent', newItem.itemId, cut - 7 * DAY), itemsById, cut);
    // Assess: 30 years of 21-day half-lives leave ~1e-157, which DynamoDB refuses ("Number underflow").
    expect(nonFiniteNumberPaths(dormant, 'history')).toEqual([]);
    expect(dormant.interests.genres).toEqual({});
    expect(dormant.interests.topItems).toEqual({});
    expect(dormant.activity.totalEvents).toBe(5);
    expect(Object.keys(recent.interests.topItems)).toEqual([newItem.itemId]);
    expect(Object.values(recent.interests.genres).every((w) => w >= NEGLIGIBLE_INTEREST)).toBe(true);
    expect(nonFiniteNumberPaths({ w: 1e-131 }, 'x')).toEqual(['x.w is 1e-131']);
  });
});
