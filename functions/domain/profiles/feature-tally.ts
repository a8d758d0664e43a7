/**
 * The running tallies profile features are made of, one per aspect (activity, rhythm, intensity,
 * interests), each folded over a user's events in time order and finished into its features.
 * Folding is all a profile needs from an event, so a tally taken at one instant and continued with
 * later events gives the same features as one fold over the whole history.
 */
import { EVENT_TYPES, type EventType, type InteractionEvent, type Item } from '#domain/catalog/types.ts';

const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** A new session starts when the user was idle this long after their last event (and its watch time). */
export const SESSION_GAP_MS = 30 * 60_000;
/** Interest weights decay with this half-life, so recent tastes count more. */
export const INTEREST_HALF_LIFE_DAYS = 21;
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
  impression: 0,
  click: 0.3,
};

export type SpendTier = 'none' | 'low' | 'medium' | 'high';

export interface WeightedName {
  name: string;
  /** Share of the user's positive interest, 0..1 (weights sum to 1 across all names). */
  weight: number;
}

/** Counts, time and sessions. */
export interface ActivityTally {
  eventCounts: Record<EventType, number>;
  totalEvents: number;
  /** Seconds reported by play events. */
  playSeconds: number;
  /** Seconds of titles the user finished (value of complete events). */
  completedSeconds: number;
  /** Sum of purchase values, minor currency units. */
  totalMinor: number;
  firstSeen: number | null;
  lastSeen: number | null;
  activeDays: number;
  distinctItems: Set<string>;
  /** Items counted as distinct but not in `distinctItems` (a restored history tracks a bounded set). */
  untrackedItems: number;
  sessions: number;
  /** Length of the sessions closed so far, ms (the open one is added when finishing). */
  closedSessionMs: number;
  sessionStart: number;
  /** When the open session's last event ends (its watch time included), epoch ms. */
  sessionEnd: number;
}

/** Events per UTC hour of the day and per weekday (Sunday first). */
export interface RhythmTally {
  hourCounts: number[];
  dayCounts: number[];
}

/** Per-day and per-hour peaks, impossible watch time and gaps between events: what bots give away. */
export interface IntensityTally {
  /** UTC day number of the day being counted (null before the first event). */
  day: number | null;
  dayItems: Set<string>;
  /** Bit h set = some event in UTC hour h of the day being counted. */
  dayHours: number;
  dayPlaySeconds: number;
  /** Peaks over the days already closed (the open day is added when finishing). */
  maxDistinctItemsPerDay: number;
  maxActiveHoursPerDay: number;
  maxPlaySecondsPerDay: number;
  /** Hour number since the epoch being counted. */
  hour: number | null;
  hourEvents: number;
  maxEventsPerHour: number;
  impossibleSeconds: number;
  /** The last play event, waiting for the next event to say how much of it the clock allowed. */
  pendingPlay: { timestamp: number; seconds: number } | null;
  lastTimestamp: number | null;
  /** Gaps between consecutive events by GAP_BUCKET_RATIO bucket (see gapBucketOf): the median's source. */
  gapBuckets: Map<number, number>;
}

/** Interest decayed to `asOf`: per item, and per genre and tag for items a restored history credited. */
export interface InterestTally {
  asOf: number;
  /** Weights of items whose genres and tags are credited when finishing. */
  itemWeights: Map<string, number>;
  /** Genre and tag weights credited from older items (a restored history), added when finishing. */
  creditedGenres: Map<string, number>;
  creditedTags: Map<string, number>;
  /** Older items' weights, kept to rank the top items only (their genres and tags are credited). */
  carriedItems: Map<string, number>;
}

export interface FeatureTally {
  activity: ActivityTally;
  rhythm: RhythmTally;
  intensity: IntensityTally;
  interests: InterestTally;
}

/** An empty tally whose interest weights decay to `asOf` (epoch ms). */
export function emptyTally(asOf: number): FeatureTally {
  return {
    activity: {
      eventCounts: Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as Record<EventType, number>,
      totalEvents: 0,
      playSeconds: 0,
      completedSeconds: 0,
      totalMinor: 0,
      firstSeen: null,
      lastSeen: null,
      activeDays: 0,
      distinctItems: new Set(),
      untrackedItems: 0,
      sessions: 0,
      closedSessionMs: 0,
      sessionStart: 0,
      sessionEnd: 0,
    },
    rhythm: { hourCounts: new Array<number>(24).fill(0), dayCounts: new Array<number>(7).fill(0) },
    intensity: {
      day: null,
      dayItems: new Set(),
      dayHours: 0,
      dayPlaySeconds: 0,
      maxDistinctItemsPerDay: 0,
      maxActiveHoursPerDay: 0,
      maxPlaySecondsPerDay: 0,
      hour: null,
      hourEvents: 0,
      maxEventsPerHour: 0,
      impossibleSeconds: 0,
      pendingPlay: null,
      lastTimestamp: null,
      gapBuckets: new Map(),
    },
    interests: {
      asOf,
      itemWeights: new Map(),
      creditedGenres: new Map(),
      creditedTags: new Map(),
      carriedItems: new Map(),
    },
  };
}

/** Folds events (time order, none before the tally's last event) into `tally`; returns it. */
export function foldEvents(tally: FeatureTally, sorted: readonly InteractionEvent[]): FeatureTally {
  for (const event of sorted) {
    // Plain arithmetic instead of Date objects: this runs once per event per tally.
    const day = Math.floor(event.timestamp / DAY_MS);
    const hourOfDay = Math.floor((event.timestamp - day * DAY_MS) / HOUR_MS);
    const seconds = event.value !== undefined && Number.isFinite(event.value) ? Math.max(0, event.value) : 0;
    addToActivity(tally.activity, event, day, seconds);
    tally.rhythm.hourCounts[hourOfDay]++;
    tally.rhythm.dayCounts[(day + 4) % 7]++; // 1970-01-01 was a Thursday (4)
    addToIntensity(tally.intensity, event, day, hourOfDay, seconds);
    const weight =
      interestWeight(event) *
      0.5 ** ((tally.interests.asOf - event.timestamp) / DAY_MS / INTEREST_HALF_LIFE_DAYS);
    const weights = tally.interests.itemWeights;
    if (weight !== 0) weights.set(event.itemId, (weights.get(event.itemId) ?? 0) + weight);
  }
  return tally;
}

function addToActivity(a: ActivityTally, event: InteractionEvent, day: number, seconds: number): void {
  const t = event.timestamp;
  const first = a.totalEvents === 0;
  a.eventCounts[event.type]++;
  a.totalEvents++;
  a.distinctItems.add(event.itemId);
  if (a.lastSeen === null || day !== Math.floor(a.lastSeen / DAY_MS)) a.activeDays++;
  a.firstSeen ??= t;
  a.lastSeen = t;
  if (event.type === 'play') a.playSeconds += seconds;
  else if (event.type === 'complete') a.completedSeconds += seconds;
  else if (event.type === 'purchase') a.totalMinor += seconds;
  // Sessions: idle time is measured from the end of what was being watched, so a film is not a gap.
  const busyUntil = t + (event.type === 'play' ? seconds * 1000 : 0);
  if (first || t - a.sessionEnd > SESSION_GAP_MS) {
    if (!first) a.closedSessionMs += a.sessionEnd - a.sessionStart;
    a.sessions++;
    a.sessionStart = t;
    a.sessionEnd = busyUntil;
  } else {
    a.sessionEnd = Math.max(a.sessionEnd, busyUntil);
  }
}

function addToIntensity(
  s: IntensityTally,
  event: InteractionEvent,
  day: number,
  hourOfDay: number,
  seconds: number,
): void {
  const t = event.timestamp;
  if (day !== s.day) {
    closeDay(s);
    s.day = day;
    s.dayItems = new Set();
    s.dayHours = 0;
    s.dayPlaySeconds = 0;
  }
  s.dayItems.add(event.itemId);
  s.dayHours |= 1 << hourOfDay;
  const hour = Math.floor(t / HOUR_MS);
  if (hour !== s.hour) {
    s.hour = hour;
    s.hourEvents = 0;
  }
  s.hourEvents++;
  if (s.hourEvents > s.maxEventsPerHour) s.maxEventsPerHour = s.hourEvents;
  if (s.pendingPlay) {
    s.impossibleSeconds += Math.max(0, s.pendingPlay.seconds - (t - s.pendingPlay.timestamp) / 1000);
  }
  s.pendingPlay = event.type === 'play' ? { timestamp: t, seconds } : null;
  if (event.type === 'play') s.dayPlaySeconds += seconds;
  if (s.lastTimestamp !== null) {
    const bucket = gapBucketOf(t - s.lastTimestamp);
    s.gapBuckets.set(bucket, (s.gapBuckets.get(bucket) ?? 0) + 1);
  }
  s.lastTimestamp = t;
}

/**
 * Gaps are kept as counts per bucket 1% wide (log scale, from 1 ms; -1 holds zero gaps), so a tally
 * stays small however long the history, and the median gap is within 0.5% of the exact one.
 */
const GAP_BUCKET_RATIO = 1.01;
const LOG_GAP_RATIO = Math.log(GAP_BUCKET_RATIO);

/** The bucket of a gap of `gapMs` milliseconds. */
function gapBucketOf(gapMs: number): number {
  return gapMs < 1 ? -1 : Math.floor(Math.log(gapMs) / LOG_GAP_RATIO);
}

/** The gap a bucket stands for, seconds: its geometric middle. */
function gapSecondsOf(bucket: number): number {
  return bucket < 0 ? 0 : Math.exp((bucket + 0.5) * LOG_GAP_RATIO) / 1000;
}

/** Median gap, seconds, from gap buckets (0 without gaps): the middle bucket, or the mean of the two middle ones. */
function medianGapSeconds(buckets: ReadonlyMap<number, number>): number {
  const ordered = [...buckets].sort((a, b) => a[0] - b[0]);
  const count = ordered.reduce((sum, [, n]) => sum + n, 0);
  if (count === 0) return 0;
  const at = (rank: number): number => {
    let seen = 0;
    for (const [bucket, n] of ordered) {
      seen += n;
      if (rank < seen) return gapSecondsOf(bucket);
    }
    return gapSecondsOf(ordered[ordered.length - 1][0]);
  };
  const mid = count >> 1;
  return count % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/** Folds the counted day into the peaks (a no-op before the first event). */
export function closeDay(s: IntensityTally): void {
  if (s.day === null) return;
  s.maxDistinctItemsPerDay = Math.max(s.maxDistinctItemsPerDay, s.dayItems.size);
  s.maxActiveHoursPerDay = Math.max(s.maxActiveHoursPerDay, bitCount(s.dayHours));
  s.maxPlaySecondsPerDay = Math.max(s.maxPlaySecondsPerDay, s.dayPlaySeconds);
}

function interestWeight(event: InteractionEvent): number {
  // A rating says more than "engaged": 5 stars is strong liking, 1 star is disliking.
  if (event.type === 'rate' && event.value !== undefined) return (event.value - 2.5) / 1.25;
  return INTEREST_WEIGHT[event.type];
}

/** Spend tier thresholds, minor currency units over the history. */
export function spendTierOf(totalMinor: number): SpendTier {
  if (totalMinor <= 0) return 'none';
  if (totalMinor < 1000) return 'low';
  if (totalMinor < 3000) return 'medium';
  return 'high';
}

/** Activity features at `asOf` (epoch ms); the recent-window counts come from the caller's event list. */
export function activityOf(
  a: ActivityTally,
  asOf: number,
  recent: { last7Days: number; previous21Days: number },
) {
  const sessionMs = a.totalEvents > 0 ? a.closedSessionMs + a.sessionEnd - a.sessionStart : 0;
  const tenureDays = a.firstSeen === null ? 0 : (asOf - a.firstSeen) / DAY_MS;
  const { eventCounts, activeDays, totalEvents: total } = a;
  return {
    eventCounts: { ...eventCounts },
    totalEvents: total,
    playSeconds: a.playSeconds,
    completedSeconds: a.completedSeconds,
    completionRate: eventCounts.play > 0 ? Math.min(1, eventCounts.complete / eventCounts.play) : 0,
    activeDays,
    distinctItems: a.distinctItems.size + a.untrackedItems,
    firstSeen: a.firstSeen,
    lastSeen: a.lastSeen,
    recencyDays: a.lastSeen === null ? null : (asOf - a.lastSeen) / DAY_MS,
    tenureDays,
    eventsPerActiveDay: activeDays > 0 ? total / activeDays : 0,
    activeDaysPerWeek: activeDays > 0 ? Math.min(7, (7 * activeDays) / Math.max(1, tenureDays)) : 0,
    sessions: a.sessions,
    meanSessionMinutes: a.sessions > 0 ? sessionMs / a.sessions / 60_000 : 0,
    eventsLast7Days: recent.last7Days,
    eventsPrevious21Days: recent.previous21Days,
  };
}

/** Spend features: purchases and their total in minor units, with the tier. */
export function spendOf(a: ActivityTally) {
  return { purchases: a.eventCounts.purchase, totalMinor: a.totalMinor, tier: spendTierOf(a.totalMinor) };
}

/** When the user is active: hour and weekday shares, the preferred ones, late-night and weekend shares. */
export function rhythmOf(r: RhythmTally, totalEvents: number) {
  const hourShares = r.hourCounts.map((c) => (totalEvents > 0 ? c / totalEvents : 0));
  const dayShares = r.dayCounts.map((c) => (totalEvents > 0 ? c / totalEvents : 0));
  let lateNight = 0;
  for (const h of [22, 23, 0, 1, 2, 3, 4]) lateNight += hourShares[h];
  return {
    hourShares,
    dayShares,
    preferredHours: topIndices(hourShares, 3),
    preferredDays: topIndices(dayShares, 2).map((d) => DAY_NAMES[d]),
    lateNightShare: lateNight,
    weekendShare: dayShares[0] + dayShares[5] + dayShares[6],
  };
}

/** Intensity features: the peaks with the open day included, impossible watch share and median gap. */
export function intensityOf(s: IntensityTally, playSeconds: number) {
  const open = s.day === null;
  return {
    maxDistinctItemsPerDay: Math.max(s.maxDistinctItemsPerDay, open ? 0 : s.dayItems.size),
    maxEventsPerHour: s.maxEventsPerHour,
    maxActiveHoursPerDay: Math.max(s.maxActiveHoursPerDay, open ? 0 : bitCount(s.dayHours)),
    maxPlaySecondsPerDay: Math.max(s.maxPlaySecondsPerDay, s.dayPlaySeconds),
    impossibleWatchShare: playSeconds > 0 ? Math.min(1, s.impossibleSeconds / playSeconds) : 0,
    medianGapSeconds: medianGapSeconds(s.gapBuckets),
  };
}

/** Genres and tags weighted by the user's interest, their common themes and the most engaged items. */
export function interestsOf(i: InterestTally, itemsById: ReadonlyMap<string, Item>) {
  const { genres: genreWeights, tags: tagWeights } = creditItems(i, itemsById);
  const ranked = new Map(i.carriedItems);
  for (const [itemId, weight] of i.itemWeights) ranked.set(itemId, (ranked.get(itemId) ?? 0) + weight);
  const topItemIds = [...ranked]
    .filter(([, w]) => w > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 10)
    .map(([id]) => id);
  return {
    genres: normalisedTop(genreWeights, 10),
    tags: normalisedTop(tagWeights, 10),
    themes: themesOf(topItemIds, itemsById),
    topItemIds,
  };
}

/** Genre and tag weights: those already credited plus each item's weight on its genres and tags. */
export function creditItems(
  i: InterestTally,
  itemsById: ReadonlyMap<string, Item>,
): { genres: Map<string, number>; tags: Map<string, number> } {
  const genres = new Map(i.creditedGenres);
  const tags = new Map(i.creditedTags);
  // Interest is linear in item weights, so genres and tags are credited once per item, not per event.
  for (const [itemId, weight] of i.itemWeights) {
    const item = itemsById.get(itemId);
    if (!item || weight === 0) continue;
    for (const g of item.genres) genres.set(g, (genres.get(g) ?? 0) + weight);
    for (const tag of item.tags) tags.set(tag, (tags.get(tag) ?? 0) + weight);
  }
  return { genres, tags };
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
