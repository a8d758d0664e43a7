/**
 * Seeded synthetic event logs with the skew of real streaming data, for the scale benchmark:
 * item popularity follows a Zipf law over the catalog (a few hits, a long tail), users' activity a
 * Pareto law (most users watch a little, a few watch a lot), and each user leans to one of 12 genre
 * groups. A user's events depend only on the seed and the user's index, so any subset of users (one
 * shard) can be regenerated without holding the whole log in memory.
 */
import type { EventType, InteractionEvent, Item } from '#domain/catalog/types.ts';
import { seededRandom } from '#domain/recommendations/evaluation.ts';

export interface EventLogShape {
  /** Events wanted in the whole log (the generated total is within a few percent). */
  events: number;
  /** Catalog size (items). */
  items: number;
  /** Mean events per user: sets the number of users. */
  eventsPerUser: number;
  /** Zipf exponent of item popularity (1 = the classic long tail). */
  itemZipfExponent: number;
  /** Pareto tail index of user activity (smaller = heavier heavy users). */
  userParetoAlpha: number;
  /** A user's events at most (heavier accounts are bots the platform filters). */
  maxEventsPerUser: number;
  seed: number;
}

export const DEFAULT_LOG_SHAPE: Omit<EventLogShape, 'events'> = {
  items: 50_000,
  eventsPerUser: 40,
  itemZipfExponent: 1,
  userParetoAlpha: 1.5,
  maxEventsPerUser: 20_000,
  seed: 11,
};

const GENRE_GROUPS = 12;
const DAY_MS = 86_400_000;
/** Event types and their shares in the log (views and plays dominate, as in the demo seed). */
const EVENT_MIX: readonly [EventType, number][] = [
  ['view', 0.35],
  ['play', 0.35],
  ['complete', 0.15],
  ['like', 0.07],
  ['skip', 0.08],
];

/** A log's users and catalog; `eventsOf` regenerates one user's events on demand. */
export interface SkewedEventLog {
  shape: EventLogShape;
  userIds: string[];
  /** Events of each user (index = user). */
  eventsPerUser: Int32Array;
  /** Total events generated. */
  totalEvents: number;
  catalog: Item[];
  /** Log time (epoch ms): every event is within the 90 days before it. */
  now: number;
  eventsOf(user: number): InteractionEvent[];
}

/** The log of `shape`: user activity drawn once (Pareto, scaled to the wanted total), events lazily. */
export function skewedEventLog(shape: EventLogShape): SkewedEventLog {
  const users = Math.max(1, Math.round(shape.events / shape.eventsPerUser));
  const userIds = Array.from({ length: users }, (_, u) => `u${u}`);
  const catalog = syntheticCatalog(shape.items);
  const itemIds = catalog.map((item) => item.itemId);
  const eventsPerUser = paretoActivity(users, shape);
  const totalEvents = eventsPerUser.reduce((sum, n) => sum + n, 0);
  const zipf = zipfSampler(shape.items, shape.itemZipfExponent);
  const groupItems = Math.floor(shape.items / GENRE_GROUPS);
  const groupZipf = zipfSampler(groupItems, shape.itemZipfExponent);
  const now = LOG_NOW;

  const eventsOf = (user: number): InteractionEvent[] => {
    const random = seededRandom(shape.seed * 1_000_003 + user);
    const group = user % GENRE_GROUPS;
    const events: InteractionEvent[] = [];
    for (let k = 0; k < eventsPerUser[user]; k++) {
      // Seven in ten events follow the user's genre group; the rest the global popularity.
      const item = random() < 0.7 ? groupZipf(random()) * GENRE_GROUPS + group : zipf(random());
      events.push({
        eventId: `e${user}-${k}`,
        userId: userIds[user],
        itemId: itemIds[item],
        type: eventType(random()),
        timestamp: now - Math.floor(random() * 90 * DAY_MS),
      });
    }
    return events;
  };
  return { shape, userIds, eventsPerUser, totalEvents, catalog, now, eventsOf };
}

/** Every log's clock (epoch ms): events fall in the 90 days before it. */
export const LOG_NOW = Date.UTC(2026, 10, 1);

/** A catalog of `items` items, `i0`..; item i is in genre group i mod 12. */
export function syntheticCatalog(items: number): Item[] {
  return Array.from({ length: items }, (_, i) => ({
    itemId: `i${i}`,
    title: `Item ${i}`,
    genres: [`g${i % GENRE_GROUPS}`],
    tags: [],
  }));
}

/** Events per user: Pareto(alpha) draws scaled so they sum to about `shape.events`, capped. */
function paretoActivity(users: number, shape: EventLogShape): Int32Array {
  const random = seededRandom(shape.seed);
  const draws = Float64Array.from({ length: users }, () => (1 - random()) ** (-1 / shape.userParetoAlpha));
  const scale = shape.events / draws.reduce((sum, x) => sum + x, 0);
  return Int32Array.from(draws, (x) => Math.min(shape.maxEventsPerUser, Math.max(1, Math.round(x * scale))));
}

/** Maps a uniform draw (0..1) to a rank 0..n-1 with P(rank) proportional to 1 / (rank+1)^s. */
export function zipfSampler(n: number, s: number): (uniform: number) => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += 1 / (r + 1) ** s;
    cdf[r] = total;
  }
  return (uniform) => {
    const target = uniform * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function eventType(uniform: number): EventType {
  let acc = 0;
  for (const [type, share] of EVENT_MIX) {
    acc += share;
    if (uniform < acc) return type;
  }
  return 'view';
}
