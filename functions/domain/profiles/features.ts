/**
 * Profile features: what a user's events say about them (activity, interests, rhythm, spend) plus the
 * intensity signals bots give away. Pure functions over plain events; recomputed on read.
 */
import {
  EVENT_TYPES,
  type EventType,
  type InteractionEvent,
  type Item,
  type UserAttributes,
} from '#domain/catalog/types.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** A new session starts when the user was idle this long after their last event (and its watch time). */
export const SESSION_GAP_MS = 30 * 60_000;
/** Interest weights decay with this half-life, so recent tastes count more. */
const INTEREST_HALF_LIFE_DAYS = 21;
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** How much each event type says about liking the item (negative = disliking). */
const INTEREST_WEIGHT: Record<EventType, number> = {
  view: 0.3,
  play: 1,
  complete: 2,
  like: 3,
  dislike: -2,
  rate: 1,
  purchase: 3,
  skip: -0.5,
};

export type SpendTier = 'none' | 'low' | 'medium' | 'high';

export interface WeightedName {
  name: string;
  /** Share of the user's positive interest, 0..1 (weights sum to 1 across all names). */
  weight: number;
}

export interface ProfileFeatures {
  userId: string;
  /** Epoch ms the features were computed for (events at or after it are ignored). */
  asOf: number;
  activity: {
    eventCounts: Record<EventType, number>;
    totalEvents: number;
    /** Seconds reported by play events. */
    playSeconds: number;
    /** Seconds of titles the user finished (value of complete events). */
    completedSeconds: number;
    /** complete events / play events, 0..1. */
    completionRate: number;
    activeDays: number;
    distinctItems: number;
    firstSeen: number | null;
    lastSeen: number | null;
    /** Days since the last event; null without events. */
    recencyDays: number | null;
    /** Days from the first event to `asOf`. */
    tenureDays: number;
    /** Events per active day. */
    eventsPerActiveDay: number;
    /** Active days per week of tenure (at most 7). */
    activeDaysPerWeek: number;
    sessions: number;
    meanSessionMinutes: number;
    eventsLast7Days: number;
    /** Events in the 21 days before the last 7. */
    eventsPrevious21Days: number;
  };
  interests: {
    genres: WeightedName[];
    tags: WeightedName[];
    /** Genres and tags shared by the user's most-engaged items, most common first. */
    themes: string[];
    topItemIds: string[];
  };
  rhythm: {
    /** Share of events in each UTC hour, 24 values summing to 1 (all 0 without events). */
    hourShares: number[];
    /** Share of events on each weekday, Sunday first. */
    dayShares: number[];
    preferredHours: number[];
    preferredDays: string[];
    /** Share of events 22:00-05:00 UTC. */
    lateNightShare: number;
    /** Share of events on Friday, Saturday or Sunday. */
    weekendShare: number;
  };
  spend: { purchases: number; totalMinor: number; tier: SpendTier };
  /** Signals of automated use. */
  intensity: {
    maxDistinctItemsPerDay: number;
    maxEventsPerHour: number;
    /** Most distinct hours of the day with activity within one calendar day (24 = round the clock). */
    maxActiveHoursPerDay: number;
    /** Most play seconds reported within one calendar day. */
    maxPlaySecondsPerDay: number;
    /** Share of reported play time that overlaps the user's next event (watching faster than time allows), 0..1. */
    impossibleWatchShare: number;
    /** Median gap between consecutive events, seconds (0 with fewer than 2 events). */
    medianGapSeconds: number;
  };
  attributes?: UserAttributes;
}

/** Spend tier thresholds, minor currency units over the history. */
export function spendTierOf(totalMinor: number): SpendTier {
  if (totalMinor <= 0) return 'none';
  if (totalMinor < 1000) return 'low';
  if (totalMinor < 3000) return 'medium';
  return 'high';
}

/**
 * Features of one user from their events (any order; only those before `asOf` count).
 * `itemsById` supplies genres, tags and durations; unknown items still count toward activity.
 */
export function buildProfileFeatures(
  userId: string,
  events: readonly InteractionEvent[],
  itemsById: ReadonlyMap<string, Item>,
  asOf: number,
  attributes?: UserAttributes,
): ProfileFeatures {
  const sorted = events.filter((e) => e.timestamp < asOf).sort((a, b) => a.timestamp - b.timestamp);
  return featuresOfSorted(userId, sorted, itemsById, asOf, attributes);
}

/** Features of every user in `events` (grouped once; O(events log events)). */
export function buildAllProfileFeatures(
  events: readonly InteractionEvent[],
  itemsById: ReadonlyMap<string, Item>,
  asOf: number,
  attributesById?: ReadonlyMap<string, UserAttributes>,
): Map<string, ProfileFeatures> {
  const byUser = groupEventsByUser(events);
  const out = new Map<string, ProfileFeatures>();
  for (const [userId, userEvents] of byUser) {
    const end = upperBound(userEvents, asOf);
    out.set(
      userId,
      featuresOfSorted(userId, userEvents.slice(0, end), itemsById, asOf, attributesById?.get(userId)),
    );
  }
  return out;
}

/** Events grouped by user, each list in time order. */
export function groupEventsByUser(events: readonly InteractionEvent[]): Map<string, InteractionEvent[]> {
  const byUser = new Map<string, InteractionEvent[]>();
  for (const event of events) {
    let list = byUser.get(event.userId);
    if (!list) {
      list = [];
      byUser.set(event.userId, list);
    }
    list.push(event);
  }
  for (const list of byUser.values()) {
    let ordered = true;
    for (let i = 1; i < list.length && ordered; i++) ordered = list[i].timestamp >= list[i - 1].timestamp;
    if (!ordered) list.sort((a, b) => a.timestamp - b.timestamp);
  }
  return byUser;
}

/** Index of the first event at or after `timestamp` in a time-ordered list. */
export function upperBound(sorted: readonly InteractionEvent[], timestamp: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].timestamp < timestamp) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Features from events already in time order and before `asOf`. */
export function featuresOfSorted(
  userId: string,
  sorted: readonly InteractionEvent[],
  itemsById: ReadonlyMap<string, Item>,
  asOf: number,
  attributes?: UserAttributes,
): ProfileFeatures {
  const eventCounts = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as Record<EventType, number>;
  const hourCounts = new Array<number>(24).fill(0);
  const dayCounts = new Array<number>(7).fill(0);
  const genreWeights = new Map<string, number>();
  const tagWeights = new Map<string, number>();
  const itemWeights = new Map<string, number>();
  const distinctItems = new Set<string>();

  let playSeconds = 0;
  let completedSeconds = 0;
  let totalMinor = 0;
  let sessions = 0;
  let sessionMs = 0;
  let sessionStart = 0;
  let sessionEnd = 0;
  let impossibleSeconds = 0;
  let eventsLast7Days = 0;
  let eventsPrevious21Days = 0;

  let activeDays = 0;
  let currentDay = Number.NaN;
  let dayItems = new Set<string>();
  /** Bit h set = some event in UTC hour h of the current day. */
  let dayHours = 0;
  let dayPlaySeconds = 0;
  let maxDistinctItemsPerDay = 0;
  let maxActiveHoursPerDay = 0;
  let maxPlaySecondsPerDay = 0;
  let currentHour = Number.NaN;
  let hourEvents = 0;
  let maxEventsPerHour = 0;
  const gaps = new Float64Array(Math.max(0, sorted.length - 1));

  const closeDay = (): void => {
    maxDistinctItemsPerDay = Math.max(maxDistinctItemsPerDay, dayItems.size);
    maxActiveHoursPerDay = Math.max(maxActiveHoursPerDay, bitCount(dayHours));
    maxPlaySecondsPerDay = Math.max(maxPlaySecondsPerDay, dayPlaySeconds);
  };

  for (let i = 0; i < sorted.length; i++) {
    const event = sorted[i];
    const t = event.timestamp;
    eventCounts[event.type]++;
    distinctItems.add(event.itemId);
    // Plain arithmetic instead of Date objects: this loop runs once per event.
    const day = Math.floor(t / DAY_MS);
    const hour = Math.floor((t - day * DAY_MS) / HOUR_MS);
    hourCounts[hour]++;
    dayCounts[(day + 4) % 7]++; // 1970-01-01 was a Thursday (4)
    if (t >= asOf - 7 * DAY_MS) eventsLast7Days++;
    else if (t >= asOf - 28 * DAY_MS) eventsPrevious21Days++;

    if (day !== currentDay) {
      if (!Number.isNaN(currentDay)) closeDay();
      currentDay = day;
      activeDays++;
      dayItems = new Set();
      dayHours = 0;
      dayPlaySeconds = 0;
    }
    dayItems.add(event.itemId);
    dayHours |= 1 << hour;
    const absoluteHour = Math.floor(t / HOUR_MS);
    if (absoluteHour !== currentHour) {
      currentHour = absoluteHour;
      hourEvents = 0;
    }
    hourEvents++;
    if (hourEvents > maxEventsPerHour) maxEventsPerHour = hourEvents;

    const seconds = event.value !== undefined && Number.isFinite(event.value) ? Math.max(0, event.value) : 0;
    if (event.type === 'play') {
      playSeconds += seconds;
      dayPlaySeconds += seconds;
      const next = sorted[i + 1];
      if (next) impossibleSeconds += Math.max(0, seconds - (next.timestamp - t) / 1000);
    } else if (event.type === 'complete') {
      completedSeconds += seconds;
    } else if (event.type === 'purchase') {
      totalMinor += seconds;
    }

    // Sessions: idle time is measured from the end of what was being watched, so a film is not a gap.
    const busyUntil = t + (event.type === 'play' ? seconds * 1000 : 0);
    if (i === 0 || t - sessionEnd > SESSION_GAP_MS) {
      if (i > 0) sessionMs += sessionEnd - sessionStart;
      sessions++;
      sessionStart = t;
      sessionEnd = busyUntil;
    } else {
      sessionEnd = Math.max(sessionEnd, busyUntil);
    }
    if (i > 0) gaps[i - 1] = (t - sorted[i - 1].timestamp) / 1000;

    const weight = interestWeight(event) * 0.5 ** ((asOf - t) / DAY_MS / INTEREST_HALF_LIFE_DAYS);
    if (weight !== 0) itemWeights.set(event.itemId, (itemWeights.get(event.itemId) ?? 0) + weight);
  }
  // Interest is linear in item weights, so genres and tags are credited once per item, not per event.
  for (const [itemId, weight] of itemWeights) {
    const item = itemsById.get(itemId);
    if (!item || weight === 0) continue;
    for (const g of item.genres) genreWeights.set(g, (genreWeights.get(g) ?? 0) + weight);
    for (const tag of item.tags) tagWeights.set(tag, (tagWeights.get(tag) ?? 0) + weight);
  }
  if (sorted.length > 0) {
    closeDay();
    sessionMs += sessionEnd - sessionStart;
  }

  const total = sorted.length;
  const firstSeen = total > 0 ? sorted[0].timestamp : null;
  const lastSeen = total > 0 ? sorted[total - 1].timestamp : null;
  const tenureDays = firstSeen === null ? 0 : (asOf - firstSeen) / DAY_MS;
  const topItemIds = [...itemWeights]
    .filter(([, w]) => w > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 10)
    .map(([id]) => id);
  const hourShares = hourCounts.map((c) => (total > 0 ? c / total : 0));
  const dayShares = dayCounts.map((c) => (total > 0 ? c / total : 0));
  let lateNight = 0;
  for (const h of [22, 23, 0, 1, 2, 3, 4]) lateNight += hourShares[h];

  return {
    userId,
    asOf,
    activity: {
      eventCounts,
      totalEvents: total,
      playSeconds,
      completedSeconds,
      completionRate: eventCounts.play > 0 ? Math.min(1, eventCounts.complete / eventCounts.play) : 0,
      activeDays,
      distinctItems: distinctItems.size,
      firstSeen,
      lastSeen,
      recencyDays: lastSeen === null ? null : (asOf - lastSeen) / DAY_MS,
      tenureDays,
      eventsPerActiveDay: activeDays > 0 ? total / activeDays : 0,
      activeDaysPerWeek: activeDays > 0 ? Math.min(7, (7 * activeDays) / Math.max(1, tenureDays)) : 0,
      sessions,
      meanSessionMinutes: sessions > 0 ? sessionMs / sessions / 60_000 : 0,
      eventsLast7Days,
      eventsPrevious21Days,
    },
    interests: {
      genres: normalisedTop(genreWeights, 10),
      tags: normalisedTop(tagWeights, 10),
      themes: themesOf(topItemIds, itemsById),
      topItemIds,
    },
    rhythm: {
      hourShares,
      dayShares,
      preferredHours: topIndices(hourShares, 3),
      preferredDays: topIndices(dayShares, 2).map((d) => DAY_NAMES[d]),
      lateNightShare: lateNight,
      weekendShare: dayShares[0] + dayShares[5] + dayShares[6],
    },
    spend: { purchases: eventCounts.purchase, totalMinor, tier: spendTierOf(totalMinor) },
    intensity: {
      maxDistinctItemsPerDay,
      maxEventsPerHour,
      maxActiveHoursPerDay,
      maxPlaySecondsPerDay,
      impossibleWatchShare: playSeconds > 0 ? Math.min(1, impossibleSeconds / playSeconds) : 0,
      medianGapSeconds: median(gaps),
    },
    ...(attributes ? { attributes } : {}),
  };
}

function interestWeight(event: InteractionEvent): number {
  // A rating says more than "engaged": 5 stars is strong liking, 1 star is disliking.
  if (event.type === 'rate' && event.value !== undefined) return (event.value - 2.5) / 1.25;
  return INTEREST_WEIGHT[event.type];
}

function normalisedTop(weights: Map<string, number>, limit: number): WeightedName[] {
  const positive = [...weights].filter(([, w]) => w > 0);
  const sum = positive.reduce((s, [, w]) => s + w, 0);
  return positive
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([name, w]) => ({ name, weight: w / sum }));
}

function themesOf(itemIds: string[], itemsById: ReadonlyMap<string, Item>): string[] {
  const counts = new Map<string, number>();
  for (const id of itemIds.slice(0, 5)) {
    const item = itemsById.get(id);
    if (!item) continue;
    for (const name of [...item.genres, ...item.tags]) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts]
    .filter(([, c]) => c >= 2)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 5)
    .map(([name]) => name);
}

function topIndices(values: number[], count: number): number[] {
  return values
    .map((v, i) => [v, i] as const)
    .filter(([v]) => v > 0)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, count)
    .map(([, i]) => i);
}

function bitCount(bits: number): number {
  let count = 0;
  for (let b = bits; b !== 0; b &= b - 1) count++;
  return count;
}

function median(values: Float64Array): number {
  if (values.length === 0) return 0;
  const sorted = values.sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
