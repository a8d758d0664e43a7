/**
 * Profile features: what a user's events say about them (activity, interests, rhythm, spend) plus the
 * intensity signals bots give away. Pure functions over plain events; recomputed on read. Each aspect
 * is a running tally (feature-tally.ts) folded over the events in time order.
 */
import {
  type EventType,
  type InteractionEvent,
  type Item,
  isUserSignal,
  type UserAttributes,
} from '#domain/catalog/types.ts';
import {
  activityOf,
  DAY_MS,
  emptyTally,
  type FeatureTally,
  foldEvents,
  intensityOf,
  interestsOf,
  rhythmOf,
  type SpendTier,
  spendOf,
  type WeightedName,
} from './feature-tally.ts';

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
  return featuresOfSorted(userId, sortedBefore(events, asOf), itemsById, asOf, attributes);
}

/**
 * The user's own events before `asOf`, in time order. Impressions are left out (isUserSignal):
 * lists shown are the platform's doing, and ten of them at one instant would read as activity,
 * sessions and a bot's burst. With groupEventsByUser, the only ways events reach a profile.
 */
export function sortedBefore(events: readonly InteractionEvent[], asOf: number): InteractionEvent[] {
  return events
    .filter((e) => e.timestamp < asOf && isUserSignal(e))
    .sort((a, b) => a.timestamp - b.timestamp);
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

/** Each user's own events (impressions left out, see sortedBefore), each list in time order. */
export function groupEventsByUser(events: readonly InteractionEvent[]): Map<string, InteractionEvent[]> {
  const byUser = new Map<string, InteractionEvent[]>();
  for (const event of events) {
    if (!isUserSignal(event)) continue;
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
  return featuresOfTally(userId, foldEvents(emptyTally(asOf), sorted), itemsById, asOf, {
    recent: recentCounts(sorted, asOf),
    attributes,
  });
}

/** Features of a folded tally at `asOf`; `recent` counts the events of the 28 days before it. */
export function featuresOfTally(
  userId: string,
  tally: FeatureTally,
  itemsById: ReadonlyMap<string, Item>,
  asOf: number,
  extra: { recent: { last7Days: number; previous21Days: number }; attributes?: UserAttributes },
): ProfileFeatures {
  const activity = activityOf(tally.activity, asOf, extra.recent);
  return {
    userId,
    asOf,
    activity,
    interests: interestsOf(tally.interests, itemsById),
    rhythm: rhythmOf(tally.rhythm, activity.totalEvents),
    spend: spendOf(tally.activity),
    intensity: intensityOf(tally.intensity, activity.playSeconds),
    ...(extra.attributes ? { attributes: extra.attributes } : {}),
  };
}

/** Events in the 7 days before `asOf` and in the 21 days before those, from a time-ordered list. */
export function recentCounts(
  sorted: readonly InteractionEvent[],
  asOf: number,
): { last7Days: number; previous21Days: number } {
  const end = upperBound(sorted, asOf);
  const weekStart = upperBound(sorted, asOf - 7 * DAY_MS);
  const monthStart = upperBound(sorted, asOf - 28 * DAY_MS);
  return { last7Days: end - weekStart, previous21Days: weekStart - monthStart };
}
