import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '#domain/catalog/types.ts';
import { DEMO_NOW, generateDemoData } from '#domain/demo/generate.ts';

const DAY_MS = 86_400_000;

describe('generateDemoData', () => {
  // Prepare: the default data set, generated once for the structural checks.
  const data = generateDemoData();

  it('produces the same data for the same seed', () => {
    const a = generateDemoData({ seed: 7, items: 200, users: 300, days: 20 });
    const b = generateDemoData({ seed: 7, items: 200, users: 300, days: 20 });
    expect(b).toEqual(a);
  });

  it('produces different data for a different seed', () => {
    const a = generateDemoData({ seed: 7, items: 200, users: 300, days: 20 });
    const b = generateDemoData({ seed: 8, items: 200, users: 300, days: 20 });
    expect(b.events.length).not.toBe(a.events.length);
    expect(b.items.map((i) => i.title)).not.toEqual(a.items.map((i) => i.title));
  });

  it('shares one catalogue between batches generated with the same catalogue seed', () => {
    const a = generateDemoData({
      seed: 1,
      catalogueSeed: 5,
      items: 100,
      users: 60,
      days: 10,
      userIdPrefix: 'a',
    });
    const b = generateDemoData({
      seed: 2,
      catalogueSeed: 5,
      items: 100,
      users: 60,
      days: 10,
      userIdPrefix: 'b',
    });
    expect(b.items).toEqual(a.items);
    expect(b.users[0].userId).not.toBe(a.users[0].userId);
    expect(b.events.map((e) => e.itemId)).not.toEqual(a.events.map((e) => e.itemId));
  });

  it('meets the default sizes: 1,000+ items, about 2,000 users, 100,000+ events within 60 days', () => {
    expect(data.items.length).toBeGreaterThanOrEqual(1000);
    expect(data.users.length).toBe(2000);
    expect(data.events.length).toBeGreaterThanOrEqual(100_000);
    const first = data.events[0].timestamp;
    const last = data.events[data.events.length - 1].timestamp;
    expect(last).toBeLessThan(DEMO_NOW);
    expect(first).toBeGreaterThanOrEqual(DEMO_NOW - 60 * DAY_MS);
  });

  it('gives every event a unique id, a known user and item, and a known type, in time order', () => {
    const userIds = new Set(data.users.map((u) => u.userId));
    const itemIds = new Set(data.items.map((i) => i.itemId));
    expect(new Set(data.events.map((e) => e.eventId)).size).toBe(data.events.length);
    for (let i = 0; i < data.events.length; i++) {
      const event = data.events[i];
      if (!userIds.has(event.userId) || !itemIds.has(event.itemId) || !EVENT_TYPES.includes(event.type)) {
        throw new Error(`event ${event.eventId} is malformed`);
      }
      if (i > 0 && event.timestamp < data.events[i - 1].timestamp) throw new Error('events are not sorted');
    }
  });

  it('describes items with readable titles, genres, tags, release dates and durations, some playable', () => {
    const titles = new Set(data.items.map((i) => i.title));
    expect(titles.size).toBe(data.items.length);
    for (const item of data.items) {
      expect(item.genres.length).toBeGreaterThan(0);
      expect(item.tags.length).toBeGreaterThan(0);
      expect(item.releaseDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(item.durationSec).toBeGreaterThan(0);
      expect(item.description?.length).toBeGreaterThan(20);
    }
    const playable = data.items.filter((i) => i.playable).length;
    expect(playable).toBeGreaterThan(0);
    expect(playable).toBeLessThan(data.items.length);
  });

  it('has long-tail popularity: the top 10% of items draw far more than 10% of events', () => {
    const counts = new Map<string, number>();
    for (const e of data.events) counts.set(e.itemId, (counts.get(e.itemId) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const top = sorted.slice(0, Math.round(data.items.length / 10)).reduce((a, b) => a + b, 0);
    expect(top / data.events.length).toBeGreaterThan(0.35);
  });

  it('follows the funnel: views outnumber plays, which outnumber completions', () => {
    const byType = new Map<string, number>();
    for (const e of data.events) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
    expect(byType.get('view')!).toBeGreaterThan(byType.get('play')!);
    expect(byType.get('play')!).toBeGreaterThan(byType.get('complete')!);
    for (const type of ['like', 'dislike', 'rate', 'skip', 'purchase'])
      expect(byType.get(type)).toBeGreaterThan(0);
  });

  it('is busier in the evening than before dawn, and busier per day at weekends', () => {
    const hours = new Array(24).fill(0);
    let weekend = 0;
    let weekday = 0;
    const bots = new Set(data.truth.botUserIds);
    for (const e of data.events) {
      if (bots.has(e.userId)) continue;
      const date = new Date(e.timestamp);
      hours[date.getUTCHours()]++;
      const day = date.getUTCDay();
      if (day === 0 || day === 6) weekend++;
      else weekday++;
    }
    expect(hours[20]).toBeGreaterThan(2 * hours[4]);
    expect(weekend / 2).toBeGreaterThan(weekday / 5);
  });

  it('plants about 1% bots whose days touch hundreds of distinct items, unlike ordinary users', () => {
    const bots = new Set(data.truth.botUserIds);
    expect(bots.size).toBe(20);
    const distinctPerUserDay = new Map<string, Set<string>>();
    for (const e of data.events) {
      const key = `${e.userId}|${Math.floor(e.timestamp / DAY_MS)}`;
      let set = distinctPerUserDay.get(key);
      if (!set) {
        set = new Set();
        distinctPerUserDay.set(key, set);
      }
      set.add(e.itemId);
    }
    const busiestDay = new Map<string, number>();
    for (const [key, set] of distinctPerUserDay) {
      const userId = key.split('|')[0];
      busiestDay.set(userId, Math.max(busiestDay.get(userId) ?? 0, set.size));
    }
    for (const bot of bots) expect(busiestDay.get(bot)).toBeGreaterThanOrEqual(100);
    const humansAbove100 = [...busiestDay].filter(([userId, n]) => !bots.has(userId) && n >= 100).length;
    expect(humansAbove100).toBe(0);
  });

  it('makes churned users go silent at least a week before the end', () => {
    expect(data.truth.churnedUserIds.length).toBeGreaterThan(100);
    const lastSeen = new Map<string, number>();
    for (const e of data.events) lastSeen.set(e.userId, e.timestamp);
    for (const userId of data.truth.churnedUserIds) {
      const last = lastSeen.get(userId);
      if (last !== undefined) expect(last).toBeLessThan(DEMO_NOW - 7 * DAY_MS);
    }
    expect(data.truth.churnedUserIds.some((id) => data.truth.botUserIds.includes(id))).toBe(false);
  });
});
